"""Fixtures: a migrated database per test, the app, clients, staff, stakeholders and SMTP."""

import importlib.util
import json
import os
import pathlib
import shutil
import socket
import threading

import pytest
from flask.globals import _cv_app
from flask.testing import FlaskClient

from portal import create_app, db
from portal.auth.models import StaffUser
from portal.db import database
from portal.models import ALL_MODELS
from portal.plan.interchange import import_plan
from portal.plan.models import Person, Strategy
from portal.stakeholders.operations import invite_stakeholder

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
SAMPLE_PLAN = SHARED_DATA / "sample-plan.json"
PASSWORD = "correct horse battery staple"

POSTGRES_URL = os.environ.get("PORTAL_DATABASE_URL", "")


def load_migration(name):
    path = ROOT / "migrations" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"test_migration_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def base_config(tmp_path):
    return {
        "ENVIRONMENT": "testing",
        "SECRET_KEY": "test-secret",
        "SQLITE_FILENAME": str(tmp_path / "portal.sqlite3"),
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": 1,  # nothing listens there; tests that send mail start an SMTP server
        "MAIL_TIMEOUT": 5,
        "BASE_URL": "http://portal.test",
    }


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory):
    """Migrate once per session: an SQLite file to copy, or the PostgreSQL schema."""
    if POSTGRES_URL:
        create_app({**base_config(tmp_path_factory.mktemp("pg")), "DATABASE_URL": POSTGRES_URL})
        with database.connection_context():
            database.execute_sql("DROP SCHEMA public CASCADE")
            database.execute_sql("CREATE SCHEMA public")
        db.migrate()
        return None
    folder = tmp_path_factory.mktemp("template")
    create_app(base_config(folder))
    db.migrate()
    if not database.is_closed():
        database.close()
    return folder / "portal.sqlite3"


def reset_postgres():
    tables = [model._meta.table_name for model in ALL_MODELS]
    with database.connection_context():
        database.execute_sql(
            "TRUNCATE " + ", ".join(f'"{name}"' for name in tables) + " RESTART IDENTITY CASCADE"
        )
        load_migration("0001_initial").seed_groups(database)


@pytest.fixture
def app_config(tmp_path, migrated_template):
    """Configuration for a test's app, on a fresh copy of the migrated database."""
    config = base_config(tmp_path)
    if POSTGRES_URL:
        config["DATABASE_URL"] = POSTGRES_URL
    else:
        shutil.copy(migrated_template, tmp_path / "portal.sqlite3")
    return config


class IsolatedClient(FlaskClient):
    """A test client whose requests each get their own app context, as in production.

    Flask reuses an app context that the test pushed, so g (and with it the signed-in
    user) would otherwise carry over from one request to the next.
    """

    def open(self, *args, **kwargs):
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)


@pytest.fixture
def app(app_config, tmp_path, monkeypatch):
    # Each test gets its own instance folder, so remembered roster mappings, uploads and
    # evidence files never leak between tests or into the developer's instance/.
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app(app_config)
    app.test_client_class = IsolatedClient
    if POSTGRES_URL:
        reset_postgres()
    with app.app_context():
        database.connect(reuse_if_open=True)
        yield app
        if not database.is_closed():
            database.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def plan(app):
    """The sample plan of a district, imported."""
    return import_plan(json.loads(SAMPLE_PLAN.read_text(encoding="utf-8")), "test")


def make_staff(email, role, person=None):
    user = StaffUser(email=email, role=role, person=person, name=email.split("@")[0])
    user.set_password(PASSWORD)
    user.save()
    return user


@pytest.fixture
def staff(plan):
    """Staff accounts: an admin, a leader, and point persons for two people of the plan."""

    def person(key):
        return Person.get((Person.plan == plan) & (Person.key == key))

    return {
        "admin": make_staff("admin@district.example.org", "admin"),
        "leader": make_staff("leader@district.example.org", "leader"),
        "induction": make_staff("induction@district.example.org", "point-person", person("induction-director")),
        "talent": make_staff("talent@district.example.org", "point-person", person("talent-manager")),
    }


class Auth:
    """Signs a test client in as staff or as a stakeholder."""

    def __init__(self, client):
        self.client = client

    def sign_in(self, user):
        response = self.client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    def sign_out(self):
        return self.client.post("/sign-out")

    def open_invitation(self, token):
        response = self.client.post(f"/invitation/{token}")
        assert response.status_code == 303, response.get_data(as_text=True)
        return response


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def invite(plan):
    """Invite a stakeholder; returns (invitation, token)."""

    def invite(email="parent@mail.example.com", group="parent", language="en", strategies=(), name="Pat Parent"):
        rows = [Strategy.get((Strategy.plan == plan) & (Strategy.key == key)) for key in strategies]
        return invite_stakeholder(plan, email, group, "test", name, language, rows)

    return invite


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MailSink:
    """Collects what an aiosmtpd server on loopback receives."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(app):
    """A real SMTP server on 127.0.0.1; the app's mail settings point at it."""
    from aiosmtpd.controller import Controller

    sink = MailSink()
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    app.config["MAIL_PORT"] = port
    app.extensions["mail"].port = port
    app.extensions["mail"].server = "127.0.0.1"
    sink.controller = controller
    sink.port = port
    yield sink
    controller.stop()


def count_queries():
    """Return a context manager that counts SQL statements the database executes."""
    return QueryCounter()


class QueryCounter:
    def __enter__(self):
        self.count = 0
        self.statements = []
        real = database.obj.execute_sql

        def counting(sql, params=None, *args, **kwargs):
            self.count += 1
            self.statements.append(sql)
            return real(sql, params, *args, **kwargs)

        self.real = real
        database.obj.execute_sql = counting
        return self

    def __exit__(self, *exc):
        database.obj.execute_sql = self.real
        return False

