"""Storage: SQLAlchemy models, migrations, the file store, and the operations on them."""
