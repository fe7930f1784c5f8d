"""The staff's web pages (blueprint ``ui``): Romanian and English, signed-in users with roles.

Pages call the same store operations as the API and the CLI. ``init_app`` sets the
session cookie's flags, the languages, and registers the pages.
"""

from __future__ import annotations

from datetime import timedelta

from flask import Flask

from docgen.web.ui import i18n


def init_app(app: Flask) -> None:
    # The page modules add their views to the blueprint as they are imported.
    from docgen.web.ui import (  # noqa: F401
        pages_auth,
        pages_documents,
        pages_records,
        pages_registry,
        pages_selection,
        pages_unidentified,
        pages_users,
    )
    from docgen.web.ui.base import bp

    c = app.config
    c["SESSION_COOKIE_HTTPONLY"] = True
    c["SESSION_COOKIE_SAMESITE"] = "Lax"
    c["SESSION_COOKIE_NAME"] = "docgen_session"
    c["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=int(c["SESSION_HOURS"]))
    i18n.init_app(app)
    app.register_blueprint(bp)
