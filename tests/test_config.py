"""Configuration sources and the rules the portal checks before it starts."""

import subprocess
import sys

import pytest

from portal import create_app
from tests.conftest import ROOT


def test_production_refuses_to_start_without_secret(tmp_path):
    with pytest.raises(RuntimeError, match="No secret key is configured"):
        create_app({"ENVIRONMENT": "production", "SECRET_KEY": None, "SQLITE_FILENAME": str(tmp_path / "x.db")})


def test_unknown_environment_rejected(tmp_path):
    with pytest.raises(RuntimeError, match="set it to production, development or testing"):
        create_app({"ENVIRONMENT": "staging", "SQLITE_FILENAME": str(tmp_path / "x.db")})


def test_production_cookies_are_secure(tmp_path):
    app = create_app({"ENVIRONMENT": "production", "SECRET_KEY": "s" * 32, "SQLITE_FILENAME": str(tmp_path / "x.db")})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_development_runs_without_secret(tmp_path):
    app = create_app({"ENVIRONMENT": "development", "SECRET_KEY": None, "SQLITE_FILENAME": str(tmp_path / "x.db")})
    assert app.config["SECRET_KEY"]
    assert app.config["SESSION_COOKIE_SECURE"] is False


def run_python(code, env):
    """Run code in a fresh interpreter at the project root with only the given PORTAL_ variables."""
    clean = {key: value for key, value in __import__("os").environ.items() if not key.startswith("PORTAL_")}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def test_environment_variables_override_defaults(tmp_path):
    result = run_python(
        "from portal import create_app; app = create_app(); "
        "print(app.config['BASE_URL'], app.config['INVITATION_DAYS'], app.config['MAIL_SERVER'])",
        {
            "PORTAL_ENVIRONMENT": "development",
            "PORTAL_BASE_URL": "https://equity.district.example.org/",
            "PORTAL_INVITATION_DAYS": "45",
            "PORTAL_MAIL_SERVER": "smtp.district.example.org",
            "PORTAL_SQLITE_FILENAME": str(tmp_path / "env.db"),
        },
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["https://equity.district.example.org", "45", "smtp.district.example.org"]


def test_wsgi_without_secret_exits_with_message(tmp_path):
    result = run_python("import wsgi", {"PORTAL_SQLITE_FILENAME": str(tmp_path / "w.db")})
    assert result.returncode != 0
    assert "PORTAL_SECRET_KEY" in result.stderr


def test_sqlite_uses_wal_and_foreign_keys(app):
    from portal.db import database, is_sqlite

    if not is_sqlite():
        pytest.skip("SQLite pragmas apply to the SQLite database only")
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert database.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 5000
