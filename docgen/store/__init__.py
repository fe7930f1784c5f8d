"""Storage: SQLAlchemy models, migrations, the file store, and finders over them (what
happens to the data is in :mod:`docgen.operations`)."""
