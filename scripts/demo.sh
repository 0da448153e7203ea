#!/usr/bin/env bash
# Install what the portal needs, build a fresh demo database and serve it on 127.0.0.1:5000.
# Extra arguments go to the demo command, for example --port 8000.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
PORTAL_ENVIRONMENT=development exec .venv/bin/flask --app wsgi portal demo "$@"
