"""The `flask --app wsgi portal ...` commands, run through Flask's CLI test runner."""

import json
import re

import click
import pytest

from portal import create_app
from portal.auth.models import StaffUser
from portal.cli import portal_cli
from portal.db import SchemaMigration, database, migration_files
from portal.models import ALL_MODELS
from portal.plan.models import Plan, Strategy
from portal.stakeholders.models import (
    Invitation,
    InvitationStrategy,
    Stakeholder,
    StakeholderGroup,
    hash_token,
)
from tests.conftest import POSTGRES_URL, SAMPLE_PLAN

LONG_PASSWORD = "a-long-password-123"
INVITATION_PREFIX = "http://portal.test/invitation/"


def invoke(runner, *args, input=None):
    """Run `portal ARGS`, then reopen the test's database connection if the command closed it.

    A command closes the connection when it opened it itself, as it does in a test that
    closed the fixture's connection first, and the test's own checks need one.
    """
    result = runner.invoke(args=["portal", *args], input=input)
    database.connect(reuse_if_open=True)
    return result


def report(result):
    """Return what a command printed and the exception it ended with, for assertion messages."""
    return f"{result.output}{result.exception!r}"


def sample():
    return json.loads(SAMPLE_PLAN.read_text(encoding="utf-8"))


def write_plan(tmp_path, document):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def saved_counts():
    return {"Plan": Plan.select().count(), "Strategy": Strategy.select().count()}


def problem_line(output, path):
    """Return the line of import-plan's output that reports a problem at the JSON path, or None."""
    for line in output.splitlines():
        if line.strip().startswith(f"{path}: "):
            return line
    return None


def printed_token(output):
    """Return the token of the invitation link that `invite` printed on its last line."""
    link = output.strip().splitlines()[-1]
    assert link.startswith(INVITATION_PREFIX), output
    return link.removeprefix(INVITATION_PREFIX)


# init


@pytest.mark.skipif(bool(POSTGRES_URL), reason="needs an empty SQLite file; the PostgreSQL schema is migrated once per session")
def test_init_twice_is_idempotent(app_config, tmp_path):
    fresh_app = create_app({**app_config, "SQLITE_FILENAME": str(tmp_path / "fresh.sqlite3")})
    runner = fresh_app.test_cli_runner()

    first = runner.invoke(args=["portal", "init"])
    second = runner.invoke(args=["portal", "init"])

    assert first.exit_code == 0, report(first)
    assert "Applied" in first.output
    assert second.exit_code == 0, report(second)
    assert "is up to date" in second.output
    assert "Applied" not in second.output
    with fresh_app.app_context(), database.connection_context():
        assert SchemaMigration.select().count() == len(migration_files())


def test_init_on_migrated_database(runner):
    result = invoke(runner, "init")

    assert result.exit_code == 0, report(result)
    assert "is up to date" in result.output


# import-plan and export-plan


def test_import_plan_sample(runner):
    result = invoke(runner, "import-plan", str(SAMPLE_PLAN))

    assert result.exit_code == 0, report(result)
    assert sample()["plan"]["title"] in result.output
    assert saved_counts() == {"Plan": 1, "Strategy": len(sample()["strategies"])}


def test_import_plan_twice_rejected(runner, plan):
    before = saved_counts()

    result = invoke(runner, "import-plan", str(SAMPLE_PLAN))

    assert result.exit_code != 0, report(result)
    assert "already in the database" in result.stderr
    assert saved_counts() == before


def test_export_plan_to_file(runner, plan, tmp_path):
    output = tmp_path / "exported.json"

    result = invoke(runner, "export-plan", "--output", str(output))

    assert result.exit_code == 0, report(result)
    assert json.loads(output.read_text(encoding="utf-8")) == sample()


def test_export_plan_to_stdout(runner, plan):
    result = invoke(runner, "export-plan")

    assert result.exit_code == 0, report(result)
    assert json.loads(result.stdout) == sample()


def test_import_plan_invalid_json(runner, tmp_path):
    broken = tmp_path / "plan.json"
    broken.write_text('{"format": "lea-equity-monitoring-plan/1",\n  "lea": }', encoding="utf-8")

    result = invoke(runner, "import-plan", str(broken))

    line = problem_line(result.stderr, "$")
    assert result.exit_code != 0, report(result)
    assert line is not None, result.output
    assert "is not valid JSON" in line
    assert "line 2, column 10" in line
    assert saved_counts() == {"Plan": 0, "Strategy": 0}


BAD_BENCHMARKS = [
    ("target", 105.0, "$.strategies[0].leading_indicators[0].benchmarks[0].target", "above 100"),
    ("period", "5y", "$.strategies[0].leading_indicators[0].benchmarks[0].period", "not one of the period keys"),
]


@pytest.mark.parametrize("field, value, path, message", BAD_BENCHMARKS, ids=["percent-above-100", "unknown-period"])
def test_import_plan_bad_benchmark(runner, tmp_path, field, value, path, message):
    document = sample()
    document["strategies"][0]["leading_indicators"][0]["benchmarks"][0][field] = value

    result = invoke(runner, "import-plan", str(write_plan(tmp_path, document)))

    line = problem_line(result.stderr, path)
    assert result.exit_code != 0, report(result)
    assert line is not None, result.output
    assert message in line
    assert saved_counts() == {"Plan": 0, "Strategy": 0}


def test_import_plan_missing_file(runner, tmp_path):
    result = invoke(runner, "import-plan", str(tmp_path / "absent.json"))

    assert result.exit_code == 2, report(result)
    assert "does not exist" in result.stderr


# A real `flask` process starts with no database connection, but the test fixtures open one.
COMMANDS_ON_PLAN = [
    ["export-plan"],
    ["add-staff", "new@district.example.org", "--role", "admin"],
    ["invite", "new@mail.example.com", "--group", "parent"],
    ["send-mail"],
]


@pytest.mark.parametrize("args", COMMANDS_ON_PLAN, ids=[args[0] for args in COMMANDS_ON_PLAN])
def test_command_opens_own_connection(runner, plan, args):
    database.close()

    result = invoke(runner, *args, input=LONG_PASSWORD + "\n")

    assert result.exit_code == 0, report(result)


def test_import_plan_opens_own_connection(runner):
    database.close()

    result = invoke(runner, "import-plan", str(SAMPLE_PLAN))

    assert result.exit_code == 0, report(result)


# add-staff


def test_add_staff_password_from_stdin(runner):
    result = invoke(runner, "add-staff", "new@district.example.org", "--role", "leader", input=LONG_PASSWORD + "\n")

    user = StaffUser.get_or_none(StaffUser.email == "new@district.example.org")
    assert result.exit_code == 0, report(result)
    assert user is not None
    assert user.role == "leader"
    assert user.check_password(LONG_PASSWORD)
    assert LONG_PASSWORD not in result.output


def test_add_staff_generated_password(runner):
    result = invoke(runner, "add-staff", "new@district.example.org", "--role", "admin")

    match = re.search(r"Password \(shown once\): (\S+)", result.stdout)
    assert result.exit_code == 0, report(result)
    assert match is not None, result.output
    password = match.group(1)
    assert result.output.count(password) == 1
    assert StaffUser.get(StaffUser.email == "new@district.example.org").check_password(password)


def test_add_staff_links_person(runner, plan):
    result = invoke(
        runner, "add-staff", "new@district.example.org", "--role", "point-person", "--person", "induction-director",
        input=LONG_PASSWORD + "\n",
    )

    user = StaffUser.get(StaffUser.email == "new@district.example.org")
    assert result.exit_code == 0, report(result)
    assert user.person.key == "induction-director"
    assert user.name == "Marisol Ortega-Reyes"


def test_add_staff_unknown_person(runner, plan):
    result = invoke(
        runner, "add-staff", "new@district.example.org", "--role", "point-person", "--person", "nobody",
        input=LONG_PASSWORD + "\n",
    )

    assert result.exit_code != 0, report(result)
    assert "'nobody'" in result.stderr
    for key in (person["key"] for person in sample()["people"]):
        assert key in result.stderr
    assert StaffUser.select().count() == 0


def test_add_staff_duplicate_email(runner):
    invoke(runner, "add-staff", "new@district.example.org", "--role", "admin", input=LONG_PASSWORD + "\n")

    result = invoke(runner, "add-staff", "new@district.example.org", "--role", "leader", input=LONG_PASSWORD + "\n")

    assert result.exit_code != 0, report(result)
    assert "already exists" in result.stderr
    assert StaffUser.select().count() == 1


def test_add_staff_short_password(runner):
    short = "x" * 11

    result = invoke(runner, "add-staff", "new@district.example.org", "--role", "admin", input=short + "\n")

    assert result.exit_code != 0, report(result)
    assert "at least 12" in result.stderr
    assert StaffUser.select().count() == 0


def test_add_staff_twelve_character_password(runner):
    password = "x" * 12

    result = invoke(runner, "add-staff", "new@district.example.org", "--role", "admin", input=password + "\n")

    assert result.exit_code == 0, report(result)
    assert StaffUser.get(StaffUser.email == "new@district.example.org").check_password(password)


def test_add_staff_invalid_role(runner):
    result = invoke(runner, "add-staff", "new@district.example.org", "--role", "boss", input=LONG_PASSWORD + "\n")

    assert result.exit_code == 2, report(result)
    assert "--role" in result.stderr
    assert StaffUser.select().count() == 0


def test_add_staff_normalizes_email(runner):
    result = invoke(runner, "add-staff", "  Jo.Smith@District.Example.ORG ", "--role", "admin", input=LONG_PASSWORD + "\n")

    assert result.exit_code == 0, report(result)
    assert [user.email for user in StaffUser.select()] == ["jo.smith@district.example.org"]


# invite


def test_invite_prints_link(runner, plan):
    result = invoke(runner, "invite", "parent@mail.example.com", "--group", "parent", "--name", "Pat Parent")

    assert result.exit_code == 0, report(result)
    assert result.stdout.strip().splitlines()[-1].startswith(INVITATION_PREFIX)


def test_invite_creates_stakeholder(runner, plan):
    invoke(runner, "invite", "parent@mail.example.com", "--group", "parent", "--name", "Pat Parent", "--language", "es")

    stakeholder = Stakeholder.get_or_none(Stakeholder.email == "parent@mail.example.com")
    assert stakeholder is not None
    assert stakeholder.group.key == "parent"
    assert stakeholder.name == "Pat Parent"
    assert stakeholder.language == "es"


def test_invite_stores_only_token_hash(runner, plan):
    result = invoke(runner, "invite", "parent@mail.example.com", "--group", "parent")

    token = printed_token(result.stdout)
    invitation = Invitation.get()
    assert invitation.token_hash == hash_token(token)
    for model in ALL_MODELS:
        for row in model.select().dicts():
            for column, value in row.items():
                assert token not in str(value), f"{model.__name__}.{column} contains the token"


def test_invite_unknown_strategy(runner, plan):
    result = invoke(runner, "invite", "parent@mail.example.com", "--group", "parent", "--strategy", "no-such-strategy")

    assert result.exit_code != 0, report(result)
    assert "'no-such-strategy'" in result.stderr
    for key in (strategy["key"] for strategy in sample()["strategies"]):
        assert key in result.stderr
    assert Invitation.select().count() == 0


def test_invite_unknown_group(runner, plan):
    result = invoke(runner, "invite", "parent@mail.example.com", "--group", "alien")

    assert result.exit_code != 0, report(result)
    assert "'alien'" in result.stderr
    for group in StakeholderGroup.select():
        assert group.key in result.stderr
    assert Stakeholder.select().count() == 0


def test_invite_limited_to_strategies(runner, plan):
    result = invoke(
        runner, "invite", "parent@mail.example.com", "--group", "parent",
        "--strategy", "novice-mentoring", "--strategy", "early-hiring",
    )

    invitation = Invitation.get()
    scoped = {row.strategy.key for row in InvitationStrategy.select().where(InvitationStrategy.invitation == invitation)}
    assert result.exit_code == 0, report(result)
    assert invitation.whole_plan is False
    assert scoped == {"novice-mentoring", "early-hiring"}


def test_invite_whole_plan_by_default(runner, plan):
    invoke(runner, "invite", "parent@mail.example.com", "--group", "parent")

    invitation = Invitation.get()
    assert invitation.whole_plan is True
    assert InvitationStrategy.select().count() == 0


def test_invite_same_email_twice(runner, plan):
    first = invoke(runner, "invite", "parent@mail.example.com", "--group", "parent")
    second = invoke(runner, "invite", "parent@mail.example.com", "--group", "parent")

    assert first.exit_code == 0, report(first)
    assert second.exit_code == 0, report(second)
    assert printed_token(first.stdout) != printed_token(second.stdout)
    assert Stakeholder.select().count() == 1
    assert Invitation.select().count() == 2


# Commands that need a plan


NEEDS_PLAN = [
    ["export-plan"],
    ["invite", "parent@mail.example.com", "--group", "parent"],
    ["add-staff", "new@district.example.org", "--role", "point-person", "--person", "induction-director"],
]


@pytest.mark.parametrize("args", NEEDS_PLAN, ids=[args[0] for args in NEEDS_PLAN])
def test_command_without_plan(runner, args):
    result = invoke(runner, *args, input=LONG_PASSWORD + "\n")

    assert result.exit_code != 0, report(result)
    assert "No plan is in the database" in result.stderr
    assert "import-plan" in result.stderr


# Help


def options_of(command):
    return [param for param in command.params if isinstance(param, click.Option)]


@pytest.mark.parametrize("name", sorted(portal_cli.commands))
def test_help_of_command(runner, name):
    result = invoke(runner, name, "--help")

    assert result.exit_code == 0, report(result)
    assert "Usage:" in result.output


@pytest.mark.parametrize("name", sorted(portal_cli.commands))
def test_help_of_every_option(runner, name):
    command = portal_cli.commands[name]
    result = invoke(runner, name, "--help")

    # Click wraps help text with textwrap, which also breaks lines after hyphens, so compare without whitespace.
    flat_output = re.sub(r"\s+", "", result.output)
    for option in options_of(command):
        assert option.help, f"{name} {option.opts[0]} has no help text"
        assert re.sub(r"\s+", "", option.help) in flat_output, f"{name} --help lacks the help of {option.opts[0]}"
