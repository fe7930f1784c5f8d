"""Users of the pages: the CLI, passwords, sessions, CSRF, and roles checked on the server."""

from __future__ import annotations

import re

import pytest

from docgen.store.database import db
from docgen.store.users import authenticate, create_user


@pytest.fixture
def users(app):
    with app.app_context():
        for role in ("admin", "officer", "viewer"):
            create_user(db.session, f"{role}@upt.ro", role, "a-long-enough-password")
        db.session.commit()


def _token(client, path="/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def _sign_in(client, email):
    response = client.post(
        "/login",
        data={"email": email, "password": "a-long-enough-password", "csrf_token": _token(client)},
    )
    assert response.status_code == 302, response.text


def test_passwords_are_hashed_and_checked(app, users):
    with app.app_context():
        user = authenticate(db.session, "OFFICER@upt.ro ", "a-long-enough-password")
        assert user is not None and user.role == "officer"
        assert "a-long-enough-password" not in user.password_hash
        assert authenticate(db.session, "officer@upt.ro", "wrong") is None
        assert authenticate(db.session, "nobody@upt.ro", "a-long-enough-password") is None


def test_forms_without_the_csrf_token_are_refused(client, users):
    refused = client.post(
        "/login", data={"email": "officer@upt.ro", "password": "a-long-enough-password"}
    )
    assert refused.status_code == 403
    _sign_in(client, "officer@upt.ro")
    assert client.post("/logout").status_code == 403
    assert client.post("/logout", data={"csrf_token": "forged"}).status_code == 403
    assert client.post("/logout", data={"csrf_token": _token(client, "/")}).status_code == 302


def test_the_session_cookie_has_its_flags(client, users):
    client.get("/login")
    response = client.post(
        "/login",
        data={
            "email": "viewer@upt.ro",
            "password": "a-long-enough-password",
            "csrf_token": _token(client),
        },
    )
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize(
    "path", ["/documents/new", "/batch", "/uploads", "/selection/minutes", "/records/1"]
)
def test_a_viewer_cannot_change_anything(client, users, path):
    _sign_in(client, "viewer@upt.ro")
    response = client.post(path, data={"csrf_token": _token(client, "/")})
    assert response.status_code == 403
    assert '<html lang="ro">' in response.text


def test_pages_need_a_signed_in_user(client, users):
    for path in ("/", "/records", "/records/export.csv", "/forms/application.pdf"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location


def test_users_cli(run_cli, tmp_path):
    env = {"DOCGEN_INSTANCE_DIR": str(tmp_path / "instance")}
    assert run_cli("db", "upgrade", env=env).code == 0
    created = run_cli("users", "create", "Ana@UPT.ro", "--role", "officer", env=env)
    assert created.code == 0, created.stderr
    password = created.stdout.strip()
    assert len(password) >= 20 and "ana@upt.ro" in created.stderr
    again = run_cli("users", "create", "ana@upt.ro", "--role", "viewer", env=env)
    assert again.code == 2 and "exists already" in again.stderr
    typed = run_cli(
        "users",
        "create",
        "ion@upt.ro",
        "--role",
        "viewer",
        "--password-stdin",
        stdin="ion's own password\n",
        env=env,
    )
    assert typed.code == 0 and typed.stdout == ""
    short = run_cli(
        "users",
        "create",
        "x@upt.ro",
        "--role",
        "viewer",
        "--password-stdin",
        stdin="short\n",
        env=env,
    )
    assert short.code == 2
    listed = run_cli("users", "list", "--json", env=env).json()
    assert [(u["email"], u["role"]) for u in listed] == [
        ("ana@upt.ro", "officer"),
        ("ion@upt.ro", "viewer"),
    ]
