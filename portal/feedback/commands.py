"""Commands of the feedback loop, registered on the `portal` command group."""

import datetime

import click

from portal.cli import current_plan_or_exit, portal_cli
from portal.db import utcnow
from portal.feedback.digests import plural, send_digests, summary_weekday


def parse_now(ctx, param, value):
    """Return the --now value as a naive UTC datetime, taking a value without an offset as UTC."""
    if value is None:
        return utcnow()
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO datetime such as 2026-12-14T14:00:00Z") from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment


@portal_cli.command("send-digests")
@click.option(
    "--now",
    callback=parse_now,
    metavar="ISO-DATETIME",
    help="Run as if it were this time (ISO 8601, UTC unless it has an offset), for tests and backfills. Default: now.",
)
def send_digests_command(now):
    """Queue the daily digests for point persons and, on the summary weekday, the weekly summaries for leaders.

    Run it once a day, before send-mail. A second run on the same day in the district's
    time zone queues nothing for recipients who already got that day's email.
    """
    plan = current_plan_or_exit()
    try:
        summary_weekday()
    except ValueError as error:
        raise click.ClickException(str(error))
    counts = send_digests(plan, now)
    click.echo(
        f"Queued {plural(counts.daily, 'daily digest', 'daily digests')} and "
        f"{plural(counts.weekly, 'weekly summary', 'weekly summaries')}; "
        f"skipped {plural(counts.skipped, 'recipient', 'recipients')} already sent today's email."
    )
