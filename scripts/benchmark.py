"""Measure page times, queries per page and memory on a district-sized database.

Builds a fresh SQLite database (or uses PORTAL_DATABASE_URL) with the sample plan and
generated stakeholders, threads and comments, then requests each main page several times
through Flask's test client and prints a Markdown table. Run it from the project root:

    .venv/bin/python scripts/benchmark.py [--stakeholders N] [--threads N] [--repeat N]

The figures and the machine they came from are recorded in docs/benchmarks.md.
"""

import argparse
import datetime
import json
import pathlib
import resource
import statistics
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal import create_app, db  # noqa: E402
from portal.auth.models import StaffUser  # noqa: E402
from portal.db import database, transaction, utcnow  # noqa: E402
from portal.feedback.models import Comment, Thread  # noqa: E402
from portal.plan.interchange import import_plan  # noqa: E402
from portal.plan.models import Benchmark, MonitoringPeriod, Person, Strategy  # noqa: E402
from portal.stakeholders.models import Invitation, Stakeholder, StakeholderGroup, hash_token  # noqa: E402

SAMPLE_PLAN = ROOT.parent / "shared" / "data" / "sample-plan.json"
PASSWORD = "benchmark-password"
BATCH = 1000


def build(stakeholders, threads):
    """Fill the database: the plan, stakeholders, and threads of two comments each."""
    started = time.perf_counter()
    plan = import_plan(json.loads(SAMPLE_PLAN.read_text(encoding="utf-8")), "benchmark")
    import_seconds = time.perf_counter() - started

    groups = list(StakeholderGroup.select())
    strategies = list(Strategy.select())
    benchmarks = list(Benchmark.select())
    periods = list(MonitoringPeriod.select().order_by(MonitoringPeriod.position))
    now = utcnow()
    with transaction():
        for start in range(0, stakeholders, BATCH):
            Stakeholder.insert_many(
                [
                    {
                        "email": f"person{number}@mail.example.com",
                        "name": f"Person {number}",
                        "group": groups[number % len(groups)].id,
                        "language": "es" if number % 3 == 0 else "en",
                        "created_at": now,
                    }
                    for number in range(start, min(start + BATCH, stakeholders))
                ]
            ).execute()
    stakeholder_ids = [row.id for row in Stakeholder.select(Stakeholder.id)]
    with transaction():
        Invitation.insert_many(
            [
                {
                    "plan": plan.id,
                    "stakeholder": stakeholder_id,
                    "token_hash": hash_token(f"token-{stakeholder_id}"),
                    "whole_plan": True,
                    "created_at": now,
                    "expires_at": now + datetime.timedelta(days=30),
                }
                for stakeholder_id in stakeholder_ids[:1]
            ]
        ).execute()
        for start in range(0, threads, BATCH):
            rows = []
            for number in range(start, min(start + BATCH, threads)):
                benchmark = benchmarks[number % len(benchmarks)] if number % 2 else None
                strategy_id = benchmark.indicator.strategy_id if benchmark else strategies[number % len(strategies)].id
                moment = now - datetime.timedelta(minutes=threads - number)
                rows.append(
                    {
                        "plan": plan.id,
                        "strategy": strategy_id,
                        "benchmark": benchmark.id if benchmark else None,
                        "period": benchmark.period_id if benchmark else periods[number % len(periods)].id,
                        "stakeholder": stakeholder_ids[number % len(stakeholder_ids)],
                        "state": "awaiting_reply",
                        "created_at": moment,
                        "last_activity_at": moment,
                    }
                )
            Thread.insert_many(rows).execute()
        authors = [(row.id, row.stakeholder_id) for row in Thread.select(Thread.id, Thread.stakeholder)]
        for start in range(0, len(authors), BATCH):
            Comment.insert_many(
                [
                    {"thread": thread_id, "stakeholder": author_id, "body": "A comment " * 20, "language": "en", "created_at": now}
                    for thread_id, author_id in authors[start : start + BATCH]
                ]
            ).execute()
    point_person = StaffUser(email="point@district.example.org", role="point-person", name="Point Person")
    point_person.person = Person.get(Person.key == "induction-director")
    point_person.set_password(PASSWORD)
    point_person.save()
    return import_seconds, "token-" + str(stakeholder_ids[0])


def send_campaign_to_everyone():
    """Create an admin and a whole-plan campaign, send it, and return (id, seconds, invited)."""
    from portal.stakeholders import campaigns

    admin = StaffUser(email="admin@district.example.org", role="admin", name="Administrator")
    admin.set_password(PASSWORD)
    admin.save()
    period = MonitoringPeriod.select().order_by(MonitoringPeriod.position.desc()).first()
    today = datetime.date.today()
    campaign = campaigns.create_campaign(
        period.plan, period, "Benchmark campaign", today, today + datetime.timedelta(days=14),
        today + datetime.timedelta(days=60), [], [], admin,
    )
    started = time.perf_counter()
    invited = campaigns.send_campaign(campaign, admin)
    return campaign.id, time.perf_counter() - started, invited


def measure(client, url, repeat):
    """Return (median milliseconds, queries in one request) for GET url."""
    from tests.conftest import count_queries

    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), counter.count


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stakeholders", type=int, default=20000, help="stakeholders to create")
    parser.add_argument("--threads", type=int, default=50000, help="threads to create, one comment each")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page after a warm-up")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="portal-benchmark-")
    app = create_app(
        {
            "ENVIRONMENT": "testing",
            "SQLITE_FILENAME": str(pathlib.Path(folder) / "benchmark.sqlite3"),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    from tests.conftest import IsolatedClient

    app.test_client_class = IsolatedClient
    with app.app_context():
        db.migrate()
        database.connect(reuse_if_open=True)
        started = time.perf_counter()
        import_seconds, _token = build(args.stakeholders, args.threads)
        build_seconds = time.perf_counter() - started
        stakeholder_invitation = Invitation.get()
        thread_id = Thread.select(Thread.id).order_by(Thread.id).first().id
        campaign_id, send_seconds, invited = send_campaign_to_everyone()

    staff = app.test_client()
    staff.post("/sign-in", data={"email": "point@district.example.org", "password": PASSWORD})
    stakeholder = app.test_client()
    with stakeholder.session_transaction() as session:
        session["invitation_id"] = stakeholder_invitation.id

    admin = app.test_client()
    admin.post("/sign-in", data={"email": "admin@district.example.org", "password": PASSWORD})

    rows = [
        ("plan overview (stakeholder)", stakeholder, "/"),
        ("strategy page (stakeholder)", stakeholder, "/strategies/novice-mentoring"),
        ("thread (point person)", staff, f"/threads/{thread_id}"),
        ("inbox, first page (point person)", staff, "/inbox"),
        ("inbox, page 100 (point person)", staff, "/inbox?page=100"),
        (f"campaign page, {invited} invitees (admin)", admin, f"/campaigns/{campaign_id}"),
        ("roster, first page (admin)", admin, "/roster"),
        ("roster, search by email (admin)", admin, "/roster?q=person1999"),
        ("input summary, one strategy and period (admin)", admin, "/review/strategies/novice-mentoring/periods/1y"),
        ("dashboard, five strategies (admin)", admin, "/dashboard?period=1y"),
    ]
    print(f"Database: SQLite, {args.stakeholders} stakeholders, {args.threads} threads")
    print(f"Sample plan import: {import_seconds * 1000:.0f} ms; building the data: {build_seconds:.1f} s")
    print(f"Sending a campaign to {invited} stakeholders (invitations and queued emails): {send_seconds:.1f} s\n")
    print("| page | median ms | queries |")
    print("|---|---:|---:|")
    with app.app_context():
        database.connect(reuse_if_open=True)
        for label, client, url in rows:
            median, queries = measure(client, url, args.repeat)
            print(f"| {label} | {median:.1f} | {queries} |")
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nPeak resident memory of the process: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
