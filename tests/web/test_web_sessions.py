"""Sessions the server can end, sign-in throttling, and the administrators' user pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from docgen.store import throttle
from docgen.store.database import db
from docgen.store.models import LoginThrottle, Record, utcnow
from docgen.store.users import create_user

PASSWORD = "a-long-enough-password"


@pytest.fixture
def users(app):
    with app.app_context():
        for role in ("admin", "officer", "viewer"):
            create_user(db.session, f"{role}@upt.ro", role, PASSWORD)
        db.session.commit()


def _token(client, path="/login") -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def _sign_in(client, email, password=PASSWORD, **kwargs):
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": _token(client)},
        **kwargs,
    )


def _signed_in(app, email, password=PASSWORD):
    client = app.test_client()
    assert _sign_in(client, email, password).status_code == 302
    return client


@pytest.fixture
def record_id(client, make_key, certificate, upload):
    response = upload(
        client, make_key("uploads"), ("c.pdf", certificate("REF-S", "2026-09-15", "2027-01-20"))
    )
    return response.json["uploads"][0]["record"]["id"]


# --- sessions ------------------------------------------------------------------------------


def test_a_cookie_saved_before_logout_no_longer_reads_or_changes(app, users, record_id):
    officer = _signed_in(app, "officer@upt.ro")
    saved = officer.get_cookie("docgen_session").value
    token = _token(officer, f"/records/{record_id}")
    assert officer.get(f"/records/{record_id}").status_code == 200
    assert officer.post("/logout", data={"csrf_token": token}).status_code == 302

    thief = app.test_client()
    thief.set_cookie("docgen_session", saved)
    read = thief.get(f"/records/{record_id}")
    assert read.status_code == 302 and "/login" in read.location
    changed = thief.post(
        f"/records/{record_id}",
        data={"csrf_token": token, "_action": "approve", "values.remarks": "changed by a thief"},
    )
    assert changed.status_code == 302 and "/login" in changed.location
    with app.app_context():
        record = db.session.get(Record, record_id)
        assert record.status != "approved" and "thief" not in str(record.values)
    # The user signs in again: a new session works, the stolen one still does not.
    again = _signed_in(app, "officer@upt.ro")
    assert again.get(f"/records/{record_id}").status_code == 200
    assert thief.get(f"/records/{record_id}").status_code == 302


@pytest.mark.parametrize("action", ["disable", "password"])
def test_disabling_or_a_new_password_ends_the_sessions_at_once(app, users, action):
    officer = _signed_in(app, "officer@upt.ro")
    assert officer.get("/records").status_code == 200
    admin = _signed_in(app, "admin@upt.ro")
    with app.app_context():
        from docgen.store.users import find_user

        officer_id = find_user(db.session, "officer@upt.ro").id
    done = admin.post(
        f"/users/{officer_id}", data={"_action": action, "csrf_token": _token(admin, "/users")}
    )
    assert done.status_code in (200, 302)
    response = officer.get("/records")
    assert response.status_code == 302 and "/login" in response.location
    assert _sign_in(app.test_client(), "officer@upt.ro").status_code == 200  # refused


# --- throttling ----------------------------------------------------------------------------


def _fail(client, email="officer@upt.ro"):
    return _sign_in(client, email, "wrong password")


def _time_passes(app):
    with app.app_context():
        db.session.execute(
            update(LoginThrottle).values(locked_until=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()


def test_guessing_a_password_is_slowed_then_locked_with_retry_after(app, users):
    client = app.test_client()
    counted = 0
    while counted < throttle.ACCOUNT.free + 3:  # the last lock is 4 s long
        response = _fail(client)
        if response.status_code == 429:
            _time_passes(app)
        else:
            assert response.status_code == 200
            counted += 1
    locked = _sign_in(client, "officer@upt.ro")  # the right password, but too soon
    assert locked.status_code == 429
    assert 1 <= int(locked.headers["Retry-After"]) <= throttle.ACCOUNT.cap
    assert "Prea multe încercări" in locked.text  # the page's language (Romanian)
    client.get("/lang/en")
    assert "Too many failed sign-in attempts" in _sign_in(client, "officer@upt.ro").text
    _time_passes(app)
    assert _sign_in(client, "officer@upt.ro").status_code == 302


def test_an_attacker_cannot_lock_a_user_out_for_long(app, users):
    # 30 wrong passwords from 30 addresses, each once the lock before it has passed: the
    # account's lock grows to its cap and no further.
    for n in range(30):
        attacker = app.test_client()
        attacker.environ_base["REMOTE_ADDR"] = f"10.0.0.{n + 1}"
        assert _fail(attacker).status_code == 200
        _time_passes(app)
    _fail(attacker)
    user = app.test_client()
    user.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    response = _sign_in(user, "officer@upt.ro")
    assert response.status_code == 429
    assert throttle.ACCOUNT.cap // 2 < int(response.headers["Retry-After"]) <= throttle.ACCOUNT.cap
    _time_passes(app)  # a minute later the user is in, whatever the attacker did
    assert _sign_in(user, "officer@upt.ro").status_code == 302


def test_one_address_spraying_many_accounts_is_locked(app, users):
    client = app.test_client()
    for n in range(throttle.ADDRESS.free + 1):
        assert _fail(client, f"nobody{n}@upt.ro").status_code == 200
    response = _sign_in(client, "viewer@upt.ro")  # a fresh account, the same address
    assert response.status_code == 429 and int(response.headers["Retry-After"]) >= 1
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "192.0.2.8"
    assert _sign_in(elsewhere, "viewer@upt.ro").status_code == 302


def test_the_throttle_is_shared_by_every_worker(make_app, users, app):
    other_worker = make_app(DATABASE_URL=app.config["DATABASE_URL"])  # a second worker
    for _ in range(throttle.ACCOUNT.free + 1):
        _fail(app.test_client())
    assert _sign_in(other_worker.test_client(), "officer@upt.ro").status_code == 429


def test_lock_times_grow_and_stop_at_the_cap():
    times = [throttle.lock_seconds(throttle.ACCOUNT, n) for n in range(1, 20)]
    assert times[:5] == [0] * 5 and times[5:9] == [1, 2, 4, 8]
    assert max(times) == throttle.ACCOUNT.cap == times[-1]


# --- the users' pages ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer", "viewer"])
def test_only_admins_manage_users(app, users, role):
    client = _signed_in(app, f"{role}@upt.ro")
    assert client.get("/users").status_code == 403
    token = _token(client, "/")
    assert (
        client.post(
            "/users", data={"email": "x@upt.ro", "role": "admin", "csrf_token": token}
        ).status_code
        == 403
    )
    with app.app_context():
        from docgen.store.users import find_user

        target = find_user(db.session, f"{role}@upt.ro")
        assert (
            client.post(
                f"/users/{target.id}",
                data={"_action": "role", "role": "admin", "csrf_token": token},
            ).status_code
            == 403
        )
        db.session.expire_all()
        assert find_user(db.session, f"{role}@upt.ro").role == role
        assert find_user(db.session, "x@upt.ro") is None


def test_admin_creates_changes_disables_and_resets(app, users):
    admin = _signed_in(app, "admin@upt.ro")
    token = _token(admin, "/users")
    assert (
        admin.post("/users", data={"email": "new@upt.ro", "role": "viewer"}).status_code == 403
    )  # no CSRF token
    created = admin.post(
        "/users", data={"email": "New@UPT.ro", "role": "viewer", "csrf_token": token}
    )
    assert created.status_code == 200
    password = re.search(r"data-new-password>([^<]+)<", created.text).group(1)
    newcomer = _signed_in(app, "new@upt.ro", password)
    assert newcomer.get("/users").status_code == 403

    twice = admin.post(
        "/users", data={"email": "new@upt.ro", "role": "viewer", "csrf_token": token}
    )
    assert twice.status_code == 422 and "Există deja un utilizator" in twice.text
    with app.app_context():
        from docgen.store.users import find_user

        new_id = find_user(db.session, "new@upt.ro").id
        admin_id = find_user(db.session, "admin@upt.ro").id
    assert (
        admin.post(
            f"/users/{new_id}", data={"_action": "role", "role": "officer", "csrf_token": token}
        ).status_code
        == 302
    )
    assert "new@upt.ro (referent)" in newcomer.get("/").text  # the role read on each request
    assert (
        admin.post(f"/users/{new_id}", data={"_action": "disable", "csrf_token": token}).status_code
        == 302
    )
    assert newcomer.get("/").status_code == 302
    assert _sign_in(app.test_client(), "new@upt.ro", password).status_code == 200
    assert (
        admin.post(f"/users/{new_id}", data={"_action": "enable", "csrf_token": token}).status_code
        == 302
    )
    reset = admin.post(f"/users/{new_id}", data={"_action": "password", "csrf_token": token})
    fresh = re.search(r"data-new-password>([^<]+)<", reset.text).group(1)
    assert fresh != password
    assert _sign_in(app.test_client(), "new@upt.ro", password).status_code == 200  # refused
    _signed_in(app, "new@upt.ro", fresh)
    # The last active administrator stays one.
    last = admin.post(f"/users/{admin_id}", data={"_action": "disable", "csrf_token": token})
    assert last.status_code == 422
    assert (
        admin.post(
            f"/users/{admin_id}", data={"_action": "role", "role": "viewer", "csrf_token": token}
        ).status_code
        == 422
    )
    assert admin.get("/users").status_code == 200


def test_behind_a_proxy_each_client_is_throttled_by_its_own_address(make_app):
    app = make_app(TRUSTED_PROXIES=1)
    with app.app_context():
        create_user(db.session, "viewer@upt.ro", "viewer", PASSWORD)
        db.session.commit()
    spraying = app.test_client()
    spraying.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.1"
    for n in range(throttle.ADDRESS.free + 1):
        assert _fail(spraying, f"nobody{n}@upt.ro").status_code == 200
    assert _sign_in(spraying, "viewer@upt.ro").status_code == 429
    colleague = app.test_client()  # the same proxy, another client behind it
    colleague.environ_base["HTTP_X_FORWARDED_FOR"] = "203.0.113.2"
    assert _sign_in(colleague, "viewer@upt.ro").status_code == 302


def test_the_cli_disables_enables_and_signs_out(run_cli, make_app, tmp_path, backend):
    if backend != "sqlite":
        pytest.skip("the CLI and the app share one SQLite file here")
    env = {"DOCGEN_INSTANCE_DIR": str(tmp_path / "cli")}
    assert run_cli("db", "upgrade", env=env).code == 0
    created = run_cli(
        "users",
        "create",
        "ana@upt.ro",
        "--role",
        "officer",
        "--password-stdin",
        stdin=PASSWORD + "\n",
        env=env,
    )
    assert created.code == 0, created.stderr
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'cli' / 'docgen.sqlite3'}")
    client = _signed_in(app, "ana@upt.ro")
    assert run_cli("users", "sign-out", "ana@upt.ro", env=env).code == 0
    assert client.get("/records").status_code == 302
    client = _signed_in(app, "ana@upt.ro")
    assert run_cli("users", "disable", "ana@upt.ro", env=env).code == 0
    assert client.get("/records").status_code == 302
    assert _sign_in(app.test_client(), "ana@upt.ro").status_code == 200  # refused
    assert run_cli("users", "list", "--json", env=env).json()[0]["disabled"] is True
    assert run_cli("users", "enable", "ana@upt.ro", env=env).code == 0
    _signed_in(app, "ana@upt.ro")
    assert run_cli("users", "disable", "nobody@upt.ro", env=env).code == 1
