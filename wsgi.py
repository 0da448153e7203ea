"""WSGI entry point: `flask --app wsgi ...`, or gunicorn wsgi:app."""

import sys

from portal import create_app

try:
    app = create_app()
except (RuntimeError, ValueError) as error:
    # A configuration problem: its message names the setting to fix, so no traceback.
    sys.exit(f"The portal cannot start: {error}")
