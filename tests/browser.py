"""A live portal server and Chromium with axe, for tests that drive a real browser."""

import os
import threading

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("PORTAL_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
    "resultTypes": ["violations"],
}
PHONE = {"width": 390, "height": 844}
# Classes htmx puts on a requesting element and on new content until it settles.
# The htmx attributes of new content take effect only once these are gone.
HTMX_BUSY = ".htmx-request, .htmx-swapping, .htmx-added, .htmx-settling"


def settled(page):
    """Wait until htmx has no request in flight and has finished settling new content."""
    page.locator(HTMX_BUSY).first.wait_for(state="detached")


class LiveServer:
    """Serves the app on a free loopback port in a background thread."""

    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(timeout=10)


def require_chromium():
    """Skip outside CI when Chromium is missing; in CI a missing browser is a failure."""
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("CI"):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}; the browser tests must run in CI.")
    pytest.skip(f"Chromium is not installed at {CHROMIUM}; install Debian's chromium package.")


class AxeChecker:
    """Runs axe on each page a test visits and remembers every violation."""

    def __init__(self):
        from axe_playwright_python.sync_playwright import Axe

        self.axe = Axe()
        self.violations = []
        self.pages_checked = 0

    def check(self, page, label):
        results = self.axe.run(page, options=AXE_OPTIONS)
        self.pages_checked += 1
        for violation in results.response["violations"]:
            targets = [node["target"] for node in violation["nodes"]]
            self.violations.append(f"{label} ({page.url}): {violation['id']}: {violation['help']} at {targets}")
