"""WSGI entry point: `flask --app wsgi ...`, or gunicorn wsgi:app."""

import sys

from portal import create_app

try:
    app = create_app()
except (RuntimeError, ValueError) as error:
    # A configuration problem: its message says what to set, so spare the traceback.
    sys.exit(f"The portal cannot start: {error}")
