"""Documents: registry of kinds, DOCX rendering, template checks, PDF conversion."""
