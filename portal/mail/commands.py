"""Commands that deliver mail, registered on the `portal` command group."""

import datetime
import logging
import signal
import sys
import time

import click
import peewee
from flask import current_app

from portal import db
from portal.cli import portal_cli
from portal.db import utcnow
from portal.mail.operations import deliver_due

logger = logging.getLogger(__name__)

DEFAULT_INTERVAL = 30  # seconds between batches


# Maximum sleep between checks for a stop signal, in seconds.
STOP_CHECK_SECONDS = 0.5


class StopRequested:
    """A flag that SIGTERM and SIGINT set, so the worker stops after the batch in progress.

    A second signal raises KeyboardInterrupt at once, for an operator who will not wait. A
    message sent just then may stay queued and be sent again by the next run.
    """

    SIGNALS = (signal.SIGTERM, signal.SIGINT)

    def __init__(self):
        self.requested = False
        self.previous = {}

    def __enter__(self):
        for number in self.SIGNALS:
            self.previous[number] = signal.signal(number, self.handle)
        return self

    def __exit__(self, *exc):
        for number, handler in self.previous.items():
            signal.signal(number, handler)
        return False

    def handle(self, number, frame):
        if self.requested:
            raise KeyboardInterrupt
        logger.info("Mail worker received %s and stops after the current batch", signal.Signals(number).name)
        self.requested = True

    def sleep(self, seconds):
        """Sleep for seconds or until a signal arrives, and return True if the worker should stop.

        The handler only sets a flag, because taking a lock inside a signal handler can
        deadlock, so the sleep checks the flag every STOP_CHECK_SECONDS.
        """
        deadline = time.monotonic() + seconds
        while not self.requested:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            time.sleep(min(remaining, STOP_CHECK_SECONDS))
        return self.requested


def run_batch(now):
    """Deliver what is due on a connection opened for this batch alone, and return the counts.

    The connection the command group opened is closed first, so that every batch reconnects
    and a worker outlives a database restart.
    """
    if not db.database.is_closed():
        db.database.close()
    with db.connection():
        return deliver_due(now=now)


def deliver_all_due(now):
    """Run batches until one is not full, and return the summed counts.

    More than MAIL_BATCH_SIZE due messages thus go out without waiting for the next run.
    Every batch uses the same now, so each message is attempted at most once here: an
    attempt either sends it or schedules its next attempt after now.
    """
    now = now or utcnow()
    totals = {"sent": 0, "retrying": 0, "failed": 0}
    while True:
        counts = run_batch(now)
        for key, value in counts.items():
            totals[key] += value
        if sum(counts.values()) < current_app.config["MAIL_BATCH_SIZE"]:
            return totals


def log_counts(counts):
    if any(counts.values()):
        logger.info("Mail batch: sent %(sent)s, will retry %(retrying)s, failed %(failed)s", counts)
    else:
        logger.debug("Mail batch: nothing was due")


def parse_now(value):
    """Read --now as an ISO 8601 UTC time and return it naive, as the database stores times."""
    if value is None:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 time such as 2025-01-31T08:00:00", param_hint="--now")
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return moment


@portal_cli.command("mail-worker")
@click.option("--once", is_flag=True, help="Send what is due, then exit. Exits 1 only if a message was marked failed.")
@click.option(
    "--interval",
    type=click.FloatRange(min=1),
    default=DEFAULT_INTERVAL,
    show_default=True,
    help="Seconds between batches.",
)
@click.option(
    "--now",
    "now_text",
    metavar="TIME",
    help="Send as if the current time were TIME (UTC, ISO 8601), for example to try retries early. Default: the clock.",
)
def mail_worker_command(once, interval, now_text):
    """Send queued email as it falls due, until stopped with SIGTERM or Ctrl-C.

    Failed attempts are retried with growing delays. A message still failing a day after
    it was queued is marked failed and listed on the outbox page, where it can be resent.
    """
    now = parse_now(now_text)
    if once:
        run_once(now)
        return

    server = f"{current_app.config['MAIL_SERVER']}:{current_app.config['MAIL_PORT']}"
    logger.info("Mail worker started: sending through %s every %g seconds", server, interval)
    try:
        with StopRequested() as stop:
            run_forever(stop, interval, now)
    except KeyboardInterrupt:
        logger.info("Mail worker interrupted")
    logger.info("Mail worker stopped")


def run_once(now):
    """Deliver what is due, print the counts, and exit 1 if a message was marked failed."""
    try:
        counts = deliver_all_due(now)
    except (peewee.DatabaseError, peewee.InterfaceError) as error:
        raise click.ClickException(f"The database could not be read or written: {error}")
    log_counts(counts)
    click.echo(f"Sent {counts['sent']}; will retry {counts['retrying']}; failed {counts['failed']}.")
    if counts["failed"]:
        sys.exit(1)


def run_forever(stop, interval, now):
    """Run a batch every interval seconds until stop is set, surviving database errors."""
    database_failures = 0
    while not stop.requested:
        try:
            counts = deliver_all_due(now)
        except (peewee.DatabaseError, peewee.InterfaceError) as error:
            database_failures += 1
            logger.error(
                "Mail batch failed on a database error (%s batches in a row); trying again in %g seconds: %s",
                database_failures,
                interval,
                error,
            )
        else:
            if database_failures:
                logger.info("Database reachable again after %s failed batches", database_failures)
            database_failures = 0
            log_counts(counts)
        if stop.sleep(interval):
            break
