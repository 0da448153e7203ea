"""The database: a peewee proxy bound at start-up, per-request connections, migrations."""

import contextlib
import datetime
import importlib.util
import logging
import os
import pathlib

import peewee
from flask import g
from playhouse.db_url import connect as connect_url

logger = logging.getLogger(__name__)

database = peewee.DatabaseProxy()

MIGRATIONS_DIR = pathlib.Path(__file__).resolve().parent.parent / "migrations"


class BaseModel(peewee.Model):
    class Meta:
        database = database
        legacy_table_names = False


def utcnow():
    """Return the current time as a naive UTC datetime, the form every column stores."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def open_database(app):
    """Build the peewee database that app.config names, without connecting."""
    url = app.config["DATABASE_URL"]
    if url:
        return connect_url(url, autoconnect=False)
    path = os.path.join(app.instance_path, app.config["SQLITE_FILENAME"])
    return peewee.SqliteDatabase(
        path,
        autoconnect=False,
        pragmas={
            "journal_mode": "wal",
            "busy_timeout": app.config["SQLITE_BUSY_TIMEOUT_MS"],
            "foreign_keys": 1,
            "synchronous": "normal",
        },
    )


def init_app(app):
    """Bind the proxy and open a connection around each request."""
    database.initialize(open_database(app))

    @app.before_request
    def connect():
        g.opened_database = database.connect(reuse_if_open=True)

    @app.teardown_request
    def close(exc):
        # Close only what this request opened: a command or a test may hold the connection.
        if g.pop("opened_database", False) and not database.is_closed():
            database.close()


@contextlib.contextmanager
def connection():
    """Open a connection for the block unless one is open; close only what was opened here."""
    opened = database.connect(reuse_if_open=True)
    try:
        yield
    finally:
        if opened and not database.is_closed():
            database.close()


def is_sqlite():
    return isinstance(database.obj, peewee.SqliteDatabase)


def transaction():
    """Start a transaction that will write; on SQLite it takes the write lock at once.

    A deferred SQLite transaction that reads and then writes can fail with "database is
    locked" when another writer got in between; BEGIN IMMEDIATE waits for the lock instead.
    """
    if is_sqlite():
        return database.atomic(lock_type="IMMEDIATE")
    return database.atomic()


class SchemaMigration(peewee.Model):
    """One applied migration, by file name."""

    name = peewee.CharField(primary_key=True, max_length=200)
    applied_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        database = database
        table_name = "schema_migration"


def migration_files():
    return sorted(p for p in MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.py"))


def pending_migrations():
    """Return the migration files not yet applied, in order."""
    database.create_tables([SchemaMigration], safe=True)
    applied = {row.name for row in SchemaMigration.select()}
    return [path for path in migration_files() if path.stem not in applied]


def migrate():
    """Apply every pending migration, each in its own transaction; return their names."""
    applied = []
    with connection():
        for path in pending_migrations():
            spec = importlib.util.spec_from_file_location(f"portal_migration_{path.stem}", path)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            with database.atomic():
                module.upgrade(database)
                SchemaMigration.create(name=path.stem)
            logger.info("Applied migration %s", path.stem)
            applied.append(path.stem)
    return applied


def sqlite_path():
    """Return the SQLite file in use, or None on another database."""
    if is_sqlite():
        return database.obj.database
    return None


def describe():
    """Name the database in use for messages, without credentials."""
    path = sqlite_path()
    if path:
        return f"SQLite file {path}"
    return f"{type(database.obj).__name__} database {database.obj.database!r}"
