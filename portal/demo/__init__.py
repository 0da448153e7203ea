"""The demo: a fresh SQLite database with a sample plan, staff accounts and invitations."""

import datetime
import json
import os
import pathlib
import secrets

from portal import db
from portal.auth.models import StaffUser
from portal.db import transaction
from portal.plan.interchange import import_plan
from portal.plan.models import Person, Strategy
from portal.stakeholders.operations import invitation_url, invite_stakeholder

DEMO_PLAN = pathlib.Path(__file__).resolve().parent / "demo-plan.json"
DEMO_DATABASE = "demo.sqlite3"
ACTOR = "demo"

# (email, role, person key or None, name)
DEMO_STAFF = [
    ("admin@tamarackfalls.example.org", "admin", None, "Demo Administrator"),
    ("leader@tamarackfalls.example.org", "leader", None, "Demo District Leader"),
]
DEMO_POINT_PERSON = "induction-lead"

# (email, group, name, language, strategy keys or () for the whole plan)
DEMO_STAKEHOLDERS = [
    ("ana.morales@mail.example.com", "parent", "Ana Morales", "es", ()),
    ("jordan.lee@tamarackfalls.example.org", "teacher", "Jordan Lee", "en", ()),
    ("deshawn.carter@mail.example.com", "parent", "DeShawn Carter", "en", ("novice-coaching",)),
    ("student.council@tamarackfalls.example.org", "student", "Eastbrook student council", "en", ()),
    ("pat.quinn@mail.example.com", "board-member", "Pat Quinn", "en", ()),
]


def use_fresh_database(app):
    """Point the portal at a new, empty demo database in the instance folder."""
    path = os.path.join(app.instance_path, DEMO_DATABASE)
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    app.config["DATABASE_URL"] = ""
    app.config["SQLITE_FILENAME"] = DEMO_DATABASE
    if not db.database.is_closed():
        db.database.close()
    db.database.initialize(db.open_database(app))
    db.migrate()
    return path


def create_account(email, role, person, name):
    password = secrets.token_urlsafe(9)
    user = StaffUser(email=email, role=role, person=person, name=name, job_title=person.title if person else "")
    user.set_password(password)
    user.save()
    return password


def create_draft_campaign(plan, admin):
    """Save an unsent campaign for the period that contains today, or return None after the plan ends."""
    from portal.plan.models import MonitoringPeriod
    from portal.plan.status import plan_today
    from portal.stakeholders.campaigns import create_campaign

    today = plan_today(plan)
    period = (
        MonitoringPeriod.select()
        .where((MonitoringPeriod.plan == plan) & (MonitoringPeriod.ends_on >= today))
        .order_by(MonitoringPeriod.starts_on)
        .first()
    )
    if period is None:
        return None
    closes_on = min(today + datetime.timedelta(days=21), plan.ends_on)
    return create_campaign(
        plan, period, "Winter check-in", today, closes_on, closes_on + datetime.timedelta(days=30), [], [], admin
    )


def build_demo(app):
    """Build the demo database and return the text to print: where it is, sign-ins and links."""
    path = use_fresh_database(app)
    with db.connection():
        plan = import_plan(json.loads(DEMO_PLAN.read_text(encoding="utf-8")), ACTOR)
        point_person = Person.get((Person.plan == plan) & (Person.key == DEMO_POINT_PERSON))
        with transaction():
            accounts = [(email, role, create_account(email, role, None, name)) for email, role, _key, name in DEMO_STAFF]
            accounts.append(
                (point_person.email, "point-person", create_account(point_person.email, "point-person", point_person, point_person.name))
            )
        links = []
        for email, group, name, language, keys in DEMO_STAKEHOLDERS:
            strategies = [Strategy.get((Strategy.plan == plan) & (Strategy.key == key)) for key in keys]
            _invitation, token = invite_stakeholder(plan, email, group, ACTOR, name, language, strategies)
            scope = ", ".join(keys) if keys else "whole plan"
            links.append(f"  {name} ({group}, {language}, {scope}):\n    {invitation_url(token)}")
        draft = create_draft_campaign(plan, StaffUser.get(StaffUser.email == DEMO_STAFF[0][0]))

    lines = [
        f"Demo database: {path}",
        f"Plan: {plan.title}",
        "",
        f"Staff sign-in at {app.config['BASE_URL']}/sign-in:",
    ]
    lines += [f"  {role:<13} {email}  password: {password}" for email, role, password in accounts]
    lines += ["", "Invitation links (open one in a private window to comment as that stakeholder):", *links, ""]
    if draft is not None:
        lines += [f"A campaign to send, as the administrator: {app.config['BASE_URL']}/campaigns/{draft.id}", ""]
    lines += [
        "To run commands against this demo, set in another shell:",
        f"  export PORTAL_ENVIRONMENT=development PORTAL_SQLITE_FILENAME={DEMO_DATABASE} "
        f"PORTAL_BASE_URL={app.config['BASE_URL']}",
        "",
    ]
    return "\n".join(lines)
