#!/usr/bin/env bash
# Install what the tests need, then run them. Extra arguments go to pytest.
# Set PORTAL_DATABASE_URL=postgresql://... to run them on PostgreSQL instead of SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --tests
exec .venv/bin/python -m pytest "$@"
