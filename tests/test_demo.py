"""The demo command builds its database, prints sign-ins and links, and serves."""

import json
import os
import re
import subprocess
import sys
import time
import urllib.request

from tests.conftest import ROOT, free_port


def test_demo_serves_printed_links(tmp_path):
    port = free_port()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("PORTAL_")}
    environment.update(PORTAL_ENVIRONMENT="development", PORTAL_INSTANCE_PATH=str(tmp_path))
    flask = [sys.executable, "-m", "flask", "--app", "wsgi", "portal", "demo", "--port", str(port)]
    server = subprocess.Popen(flask, cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        output = ""
        deadline = time.monotonic() + 60
        while "A campaign to send" not in output:
            assert time.monotonic() < deadline, output
            output += server.stdout.readline()
        links = re.findall(rf"http://127\.0\.0\.1:{port}/invitation/\S+", output)
        assert len(links) == 5
        assert re.search(rf"http://127\.0\.0\.1:{port}/campaigns/\d+", output)
        assert re.search(r"point-person\s+\S+@\S+\s+password: \S+", output)

        page = None
        while page is None:
            assert time.monotonic() < deadline, "the demo never answered on its port"
            try:
                page = urllib.request.urlopen(links[0], timeout=5).read().decode()
            except OSError:
                time.sleep(0.2)
        assert "Continuar" in page or "Continue" in page
        assert (tmp_path / "demo.sqlite3").exists()
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_demo_plan_reads_in_spanish(app):
    from portal.demo import DEMO_PLAN
    from portal.plan.interchange import import_plan
    from portal.plan.models import Benchmark, LeadingIndicator, MonitoringPeriod, Plan, Strategy

    import_plan(json.loads(DEMO_PLAN.read_text(encoding="utf-8")), "test")

    # Every text a Spanish-speaking family reads first in the demo has its own Spanish
    # version. A strategy's details are folded away on its page, so they may fall back to English.
    first_read = {"title", "stakeholder_engagement", "label", "name", "measures_of_success", "description"}
    for model in (Plan, MonitoringPeriod, Strategy, LeadingIndicator, Benchmark):
        for item in model.select():
            for field in first_read & set(model.TRANSLATED) - ({"stakeholder_engagement"} if model is Strategy else set()):
                assert item.translation(field, "es"), (model.__name__, item.id, field)
                assert item.text_in(field, "es") != getattr(item, field)
