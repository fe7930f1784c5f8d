"""The users of the pages, for administrators: list, create, disable or enable, reset the
password, change the role.

Every view checks the administrator's role on the server (``admin_required``) and every
change is a POST with the page's CSRF token (checked for the whole blueprint). A new or
reset password is generated here and shown once, on the page that answers the POST; only
its hash is kept. Disabling an account and resetting its password end its sessions at once
(see :mod:`docgen.web.ui.access`).
"""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from docgen.errors import InvalidInput, Problem
from docgen.store.database import db
from docgen.store.models import User
from docgen.store.users import (
    ROLES,
    create_user,
    generate_password,
    list_users,
    set_disabled,
    set_password,
    set_role,
)
from docgen.web.ui.access import admin_required
from docgen.web.ui.base import bp
from docgen.web.ui.messages import problem_text

ACTIONS = ("disable", "enable", "password", "role")


def _page(status: int = 200, **extra: Any) -> tuple[str, int]:
    context = {
        "users": list_users(db.session),
        "roles": ROLES,
        "created": None,
        "new_password": None,
        "errors": {},
        "typed": {},
        "done": None,
        "done_text": done_text,
    }
    context.update(extra)
    return render_template("users.html", **context), status


def _message(problem: Problem) -> str:
    """The store's English reason, said in the page's language."""
    if problem.code == "user_exists":
        return _("A user with this e-mail address exists already.")
    if problem.code == "last_admin":
        return _("The last active administrator cannot be disabled or lose the role.")
    if problem.pointer == "/email":
        return _("Enter an e-mail address.")
    if problem.pointer == "/role":
        return _("Choose one of the roles.")
    return problem_text(problem)


def _errors(exc: InvalidInput) -> dict[str, str]:
    return {p.pointer.lstrip("/"): _message(p) for p in exc.problems}


@bp.get("/users")
@admin_required
def users() -> Any:
    return _page(done=request.args.get("done"))


@bp.post("/users")
@admin_required
def create_user_page() -> Any:
    email = request.form.get("email", "").strip()
    role = request.form.get("role", "")
    password = generate_password()
    try:
        user = create_user(db.session, email, role, password)
    except InvalidInput as exc:
        db.session.rollback()
        return _page(422, errors=_errors(exc), typed={"email": email, "role": role})
    db.session.commit()
    return _page(created=user.email, new_password=password)


@bp.post("/users/<int:user_id>")
@admin_required
def change_user(user_id: int) -> Any:
    user = db.session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None:
        abort(404)
    action = request.form.get("_action", "")
    if action not in ACTIONS:
        abort(400)
    try:
        if action in ("disable", "enable"):
            set_disabled(db.session, user, action == "disable")
        elif action == "role":
            set_role(db.session, user, request.form.get("role", ""))
        else:
            password = generate_password()
            set_password(db.session, user.email, password)
            db.session.commit()
            return _page(created=user.email, new_password=password, done="password")
    except InvalidInput as exc:
        db.session.rollback()
        message = " ".join(_errors(exc).values())
        return _page(422, errors={"": f"{user.email}: {message}"})
    db.session.commit()
    return redirect(url_for("ui.users", done=action))


def done_text(action: str | None) -> str | None:
    texts = {
        "disable": _("The account is disabled; its sessions have ended."),
        "enable": _("The account is enabled."),
        "role": _("The role is changed."),
        "password": _("The password is reset; the old one and its sessions no longer work."),
    }
    return texts.get(action or "")
