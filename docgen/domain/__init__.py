"""Pure domain models (pydantic v2). Nothing here imports the rest of docgen."""
