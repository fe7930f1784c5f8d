"""Sign in, sign out, the language switch, and the dashboard."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from docgen.documents.kinds import KINDS, LANGS
from docgen.store import records as record_ops
from docgen.store import throttle
from docgen.store.database import db
from docgen.store.documents import recent_documents
from docgen.store.models import utcnow
from docgen.store.users import authenticate
from docgen.web import jobs
from docgen.web.ui import access
from docgen.web.ui.base import bp
from docgen.web.ui.i18n import current_lang


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.method == "GET":
        if access.current_user() is not None:
            return redirect(access.safe_next(request.args.get("next")))
        return render_template(
            "login.html", email="", error=None, next=request.args.get("next", "")
        )
    email = request.form.get("email", "")[:254]
    keys = [throttle.account_key(email), throttle.address_key(request.remote_addr)]
    wait = throttle.wait_seconds(db.session, keys, utcnow())
    db.session.commit()  # end the read: on SQLite it holds the write lock, scrypt is slow
    if wait:
        return _throttled(email, wait)
    user = authenticate(db.session, email, request.form.get("password", ""))
    if user is None:
        throttle.record_failure(db.session, keys, utcnow())
        db.session.commit()
        # 200, not 401: the page answers a person, who reads the message beside the form.
        return render_template(
            "login.html",
            email=email,
            next=request.form.get("next", ""),
            error=_("The e-mail address or the password is wrong."),
        ), 200
    throttle.record_success(db.session, email)
    lang = session.get("lang")
    access.sign_in(user)
    if lang:
        session["lang"] = lang
    db.session.commit()
    return redirect(access.safe_next(request.form.get("next")))


def _throttled(email: str, wait: int) -> Any:
    """Too many failed sign-ins: say so, and when to try again (the password is not read)."""
    message = ngettext(
        "Too many failed sign-in attempts. Try again in %(num)s second.",
        "Too many failed sign-in attempts. Try again in %(num)s seconds.",
        wait,
    )
    page = render_template(
        "login.html", email=email, next=request.form.get("next", ""), error=message
    )
    return page, 429, {"Retry-After": str(wait)}


@bp.post("/logout")
def logout() -> Any:
    access.sign_out()
    return redirect(url_for("ui.login"))


@bp.get("/lang/<code>")
def set_language(code: str) -> Any:
    if code in LANGS:
        session["lang"] = code
    return redirect(access.safe_next(request.args.get("next")))


@bp.get("/")
def dashboard() -> Any:
    review, to_review = record_ops.list_records(db.session, status="needs_review", per_page=10)
    valid, to_approve = record_ops.list_records(db.session, status="valid", per_page=10)
    return render_template(
        "dashboard.html",
        review=review,
        to_review=to_review,
        valid=valid,
        to_approve=to_approve,
        jobs=jobs.recent(db.session, 8),
        documents=recent_documents(db.session, 10),
        kind_titles={k.id: k.title[current_lang()] for k in KINDS.values()},
    )
