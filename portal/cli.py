"""The `flask --app wsgi portal ...` commands."""

import json
import logging
import secrets
import sys

import click
from flask import current_app
from flask.cli import AppGroup
from werkzeug.serving import run_simple

from portal import db
from portal.audit.models import AuditEvent
from portal.auth.models import ROLES, StaffUser
from portal.db import transaction
from portal.errors import DomainError
from portal.mail.operations import deliver_due
from portal.plan.interchange import PlanFileError, export_plan, import_plan, read_plan_file
from portal.plan.models import Person, Plan, Strategy
from portal.stakeholders.operations import invitation_url, invite_stakeholder, normalize_email

logger = logging.getLogger(__name__)

class PortalGroup(AppGroup):
    """The command group; each command runs with a database connection open."""

    def invoke(self, ctx):
        with db.connection():
            return super().invoke(ctx)


portal_cli = PortalGroup("portal", help="Set up and run the equity-plan portal.")

CLI_ACTOR = "cli"
MIN_PASSWORD_LENGTH = 12


def current_plan_or_exit():
    plan = Plan.current()
    if plan is None:
        raise click.ClickException("No plan is in the database yet. Import one first: portal import-plan FILE")
    return plan


@portal_cli.command("init")
def init_command():
    """Create the database or bring it up to date. Safe to run again."""
    applied = db.migrate()
    if applied:
        click.echo(f"Applied {len(applied)} migration(s) to the {db.describe()}: {', '.join(applied)}")
    else:
        click.echo(f"The {db.describe()} is up to date.")


@portal_cli.command("import-plan")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def import_plan_command(file):
    """Import a monitoring plan from a lea-equity-monitoring-plan/1 JSON FILE."""
    db.migrate()
    try:
        plan = import_plan(read_plan_file(file), CLI_ACTOR)
    except PlanFileError as error:
        click.echo(f"{file} was not imported; nothing was saved. Problems found:", err=True)
        for path, message in error.problems:
            click.echo(f"  {path}: {message}", err=True)
        sys.exit(1)
    strategies = Strategy.select().where(Strategy.plan == plan).count()
    click.echo(f"Imported {plan.title!r} for {plan.lea_name} with {strategies} strategies.")


@portal_cli.command("export-plan")
@click.option("--output", type=click.Path(dir_okay=False, writable=True), help="File to write; standard output if omitted.")
def export_plan_command(output):
    """Write the plan in the same JSON format import-plan reads."""
    plan = current_plan_or_exit()
    text = json.dumps(export_plan(plan), indent=2, ensure_ascii=False) + "\n"
    if output:
        with open(output, "w", encoding="utf-8") as handle:
            handle.write(text)
        click.echo(f"Wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


@portal_cli.command("add-staff")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the account may do.")
@click.option("--person", "person_key", help="Key of the plan's people entry this point person is.")
@click.option("--name", default="", help="Full name; taken from the people entry when --person is given.")
def add_staff_command(email, role, person_key, name):
    """Create a staff account. The password is read from standard input, or generated and printed once."""
    email = normalize_email(email)
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        raise click.BadParameter(f"{email!r} is not an email address", param_hint="EMAIL")
    if StaffUser.get_or_none(StaffUser.email == email) is not None:
        raise click.ClickException(f"A staff account for {email} already exists.")
    person = None
    if person_key:
        plan = current_plan_or_exit()
        person = Person.get_or_none((Person.plan == plan) & (Person.key == person_key))
        if person is None:
            keys = ", ".join(p.key for p in Person.select().where(Person.plan == plan).order_by(Person.key))
            raise click.BadParameter(f"{person_key!r} is not in the plan's people ({keys})", param_hint="--person")
    elif role == "point-person":
        click.echo("Note: without --person this point person answers no strategy or indicator yet.", err=True)

    password, generated = read_password()
    user = create_staff(email, role, person, name, password)
    click.echo(f"Created {role} account {user.email}.")
    if generated:
        click.echo(f"Password (shown once): {password}")


def read_password():
    """Return (password, generated): standard input's first line, or a new random one."""
    if not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\r\n")
        if line:
            if len(line) < MIN_PASSWORD_LENGTH:
                raise click.ClickException(f"The password is {len(line)} characters long; use at least {MIN_PASSWORD_LENGTH}.")
            return line, False
    return secrets.token_urlsafe(12), True


def create_staff(email, role, person, name, password):
    with transaction():
        user = StaffUser(
            email=email,
            role=role,
            person=person,
            name=name or (person.name if person else ""),
            job_title=person.title if person else "",
        )
        user.set_password(password)
        user.save()
        AuditEvent.record(CLI_ACTOR, "staff.created", user, role=role)
    logger.info("Staff user %s created with role %s", user.id, role)
    return user


@portal_cli.command("invite")
@click.argument("email")
@click.option("--group", "group_key", required=True, help="Stakeholder group key, such as parent or teacher.")
@click.option("--name", default="", help="The stakeholder's name.")
@click.option("--language", type=click.Choice(["en", "es"]), default="en", show_default=True, help="Language of pages and email.")
@click.option("--strategy", "strategy_keys", multiple=True, help="Limit the invitation to this strategy key; repeat for more.")
@click.option("--school", default="", help="The stakeholder's school.")
def invite_command(email, group_key, name, language, strategy_keys, school):
    """Create (or update) a stakeholder and print a new invitation link."""
    plan = current_plan_or_exit()
    email = normalize_email(email)
    if "@" not in email:
        raise click.BadParameter(f"{email!r} is not an email address", param_hint="EMAIL")
    strategies = []
    for key in strategy_keys:
        strategy = Strategy.get_or_none((Strategy.plan == plan) & (Strategy.key == key))
        if strategy is None:
            keys = ", ".join(s.key for s in Strategy.select().where(Strategy.plan == plan).order_by(Strategy.position))
            raise click.BadParameter(f"{key!r} is not a strategy of the plan ({keys})", param_hint="--strategy")
        strategies.append(strategy)
    try:
        invitation, token = invite_stakeholder(plan, email, group_key, CLI_ACTOR, name, language, strategies, school)
    except DomainError as error:
        raise click.ClickException(error.message)
    click.echo(f"Invitation for {email} (expires {invitation.expires_at:%Y-%m-%d %H:%M} UTC):")
    click.echo(invitation_url(token))


@portal_cli.command("send-mail")
def send_mail_command():
    """Send the queued email that is due, through the configured SMTP server."""
    counts = deliver_due()
    click.echo(f"Sent {counts['sent']}; will retry {counts['retrying']}; failed {counts['failed']}.")
    if counts["retrying"] or counts["failed"]:
        sys.exit(1)


@portal_cli.command("demo")
@click.option("--port", default=5000, show_default=True, help="Port to serve on, at 127.0.0.1.")
@click.option("--no-serve", is_flag=True, help="Build the demo database, print the sign-ins and links, and exit.")
def demo_command(port, no_serve):
    """Build a fresh demo database in instance/ with a sample plan, print sign-ins and links, and serve."""
    from portal.demo import build_demo

    if current_app.config["ENVIRONMENT"] == "production":
        raise click.ClickException("The demo replaces its database; run it with PORTAL_ENVIRONMENT=development.")
    current_app.config["BASE_URL"] = f"http://127.0.0.1:{port}"
    click.echo(build_demo(current_app))
    if not no_serve:
        # Flask's app.run() does nothing inside a `flask` command, so serve with Werkzeug directly.
        run_simple("127.0.0.1", port, current_app._get_current_object(), threaded=True)


# Commands kept beside their areas register themselves on portal_cli when imported.
from portal.feedback import commands as feedback_commands  # noqa: E402,F401
from portal.mail import commands as mail_commands  # noqa: E402,F401
from portal.monitoring import commands as monitoring_commands  # noqa: E402,F401
from portal.review import commands as review_commands  # noqa: E402,F401
from portal.stakeholders import commands as stakeholder_commands  # noqa: E402,F401
