"""The settings object of the running app (built once by ``create_app``)."""

from __future__ import annotations

from flask import current_app

from docgen.config import Settings


def current_settings() -> Settings:
    """The :class:`Settings` the current app was built from."""
    settings: Settings = current_app.extensions["docgen.settings"]
    return settings
