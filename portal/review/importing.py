"""Import stakeholder comments and staff replies kept elsewhere (a CSV export) as threads.

Each row is one comment: `posted_at` (ISO 8601 with a UTC offset), `author_email`,
`stakeholder_group`, `target`, `language`, `body`, and optionally `reply_by` (a person key of
the plan), `replied_at` and `reply_body`. The target is a strategy key or a benchmark
written `strategy/indicator/period`. Authors must already be on the roster; their group and
school come from the roster, so the file's `stakeholder_group` column is not used.

A reply is saved as a staff comment by the staff account linked to the person key. When no
account is linked, the comment is imported without its reply, the thread stays awaiting a
reply, and the row is reported. Importing the file again after
`add-staff --person KEY` adds the missing replies. Nothing is imported twice: a comment
counts as already imported when its author, strategy, time and text match a saved one.
"""

import csv
import dataclasses
import datetime
import logging

from flask import current_app

from portal.audit.models import AuditEvent
from portal.auth.models import StaffUser
from portal.db import transaction
from portal.feedback.models import Comment, Thread
from portal.feedback.operations import period_containing
from portal.plan.models import Benchmark, LeadingIndicator, MonitoringPeriod, Person, Strategy
from portal.stakeholders.models import Stakeholder
from portal.stakeholders.operations import normalize_email

logger = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("posted_at", "author_email", "target", "language", "body")
REPLY_COLUMNS = ("reply_by", "replied_at", "reply_body")


class FeedbackFileError(Exception):
    """The file as a whole cannot be read, so no row was imported."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclasses.dataclass
class RowProblem:
    row: int
    reason: str


@dataclasses.dataclass
class ImportResult:
    threads: int = 0
    replies: int = 0
    unchanged: int = 0
    rejected: list = dataclasses.field(default_factory=list)
    # Rows whose comment was imported but whose reply was not, with the reason.
    replies_left_out: list = dataclasses.field(default_factory=list)


class RowError(Exception):
    pass


def parse_moment(text, column):
    """Return an ISO 8601 time with a UTC offset as a naive UTC datetime, as the database stores times."""
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        raise RowError(f"{column} {text!r} is not an ISO 8601 time; write it as 2025-09-18T16:02:00-04:00")
    if moment.tzinfo is None:
        raise RowError(f"{column} {text!r} has no UTC offset; add one, as in 2025-09-18T16:02:00-04:00")
    return moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)


class Targets:
    """Finds strategies and benchmarks by the keys the file uses, loading the plan once."""

    def __init__(self, plan):
        self.plan = plan
        self.strategies = {s.key: s for s in Strategy.select().where(Strategy.plan == plan)}
        self.periods = {p.key: p for p in MonitoringPeriod.select().where(MonitoringPeriod.plan == plan)}
        self.indicators = {
            (indicator.strategy_id, indicator.key): indicator
            for indicator in LeadingIndicator.select().join(Strategy).where(Strategy.plan == plan)
        }

    def strategy(self, key):
        strategy = self.strategies.get(key)
        if strategy is None:
            known = ", ".join(sorted(self.strategies))
            raise RowError(f"target strategy {key!r} is not in the plan; use one of {known}")
        return strategy

    def find(self, target):
        """Return (strategy, benchmark or None) for a target, or raise RowError."""
        parts = target.split("/")
        if len(parts) == 1:
            return self.strategy(parts[0]), None
        if len(parts) != 3 or not all(parts):
            raise RowError(f"target {target!r} is neither a strategy key nor strategy/indicator/period")
        strategy = self.strategy(parts[0])
        indicator = self.indicators.get((strategy.id, parts[1]))
        if indicator is None:
            known = ", ".join(sorted(key for (sid, key) in self.indicators if sid == strategy.id))
            raise RowError(f"indicator {parts[1]!r} is not in strategy {strategy.key!r}; use one of {known}")
        period = self.periods.get(parts[2])
        if period is None:
            raise RowError(f"period {parts[2]!r} is not in the plan; use one of {', '.join(self.periods)}")
        benchmark = (
            Benchmark.select()
            .where((Benchmark.indicator == indicator) & (Benchmark.period == period) & Benchmark.superseded_by.is_null())
            .first()
        )
        if benchmark is None:
            raise RowError(f"indicator {indicator.key!r} has no benchmark for period {period.key!r}; target the strategy instead")
        return strategy, benchmark


def read_rows(path):
    """Return the file's rows as (row number, {column: text}); the header is row 1."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            headers = [name.strip() for name in reader.fieldnames or []]
            missing = [name for name in REQUIRED_COLUMNS if name not in headers]
            if missing:
                raise FeedbackFileError(
                    f"the header row lacks the column(s) {', '.join(missing)}; "
                    f"the first row must name {', '.join(REQUIRED_COLUMNS + REPLY_COLUMNS)}"
                )
            reader.fieldnames = headers
            return [
                (number, {key: (value or "").strip() for key, value in record.items() if key is not None})
                for number, record in enumerate(reader, start=2)
            ]
    except UnicodeDecodeError:
        raise FeedbackFileError("it is not UTF-8 text; save it as CSV UTF-8 and try again")
    except csv.Error as error:
        raise FeedbackFileError(f"it is not a readable CSV file ({error})")


class Importer:
    def __init__(self, plan, actor):
        self.plan = plan
        self.actor = actor
        self.targets = Targets(plan)
        self.languages = current_app.config["COMMENT_LANGUAGES"]
        self.max_length = current_app.config["COMMENT_MAX_LENGTH"]
        self.people = {person.key: person for person in Person.select().where(Person.plan == plan)}
        self.result = ImportResult()

    def staff_for(self, person_key):
        """Return the staff account linked to a plan person, or raise RowError saying what to do."""
        person = self.people.get(person_key)
        if person is None:
            raise RowError(f"reply_by {person_key!r} is not a person key of the plan, so the reply was left out")
        user = StaffUser.select().where(StaffUser.person == person).order_by(StaffUser.id).first()
        if user is None:
            raise RowError(
                f"no staff account is linked to {person_key!r}, so the reply was left out; "
                f"run add-staff EMAIL --role point-person --person {person_key} and import the file again"
            )
        return user

    def check_row(self, record):
        """Return the row's values, checked, or raise RowError with the first problem."""
        if not any(record.values()):
            raise RowError("blank row")
        for column in REQUIRED_COLUMNS:
            if not record.get(column):
                raise RowError(f"missing {column}; every row needs {', '.join(REQUIRED_COLUMNS)}")

        posted_at = parse_moment(record["posted_at"], "posted_at")
        email = normalize_email(record["author_email"])
        stakeholder = Stakeholder.get_or_none(Stakeholder.email == email)
        if stakeholder is None:
            raise RowError(f"author {email!r} is not on the roster; import the roster first, then this file")
        strategy, benchmark = self.targets.find(record["target"])
        language = record["language"].lower()
        if language not in self.languages:
            raise RowError(f"language {record['language']!r} is not one of {', '.join(self.languages)}")
        if len(record["body"]) > self.max_length:
            raise RowError(f"body has {len(record['body'])} characters, over the limit of {self.max_length}; shorten it")

        reply = None
        reply_values = [record.get(column, "") for column in REPLY_COLUMNS]
        if any(reply_values):
            if not all(reply_values):
                missing = [column for column, value in zip(REPLY_COLUMNS, reply_values) if not value]
                raise RowError(f"the reply lacks {', '.join(missing)}; give reply_by, replied_at and reply_body, or none of them")
            replied_at = parse_moment(record["replied_at"], "replied_at")
            if replied_at < posted_at:
                raise RowError(f"replied_at {record['replied_at']} is before posted_at {record['posted_at']}")
            reply = (record["reply_by"], replied_at, record["reply_body"])

        period = benchmark.period if benchmark is not None else period_containing(self.plan, posted_at)
        if period is None:
            raise RowError(f"no open or upcoming monitoring period contains {record['posted_at']}; add the period to the plan first")
        return stakeholder, strategy, benchmark, period, posted_at, language, record["body"], reply

    def import_row(self, number, record):
        stakeholder, strategy, benchmark, period, posted_at, language, body, reply = self.check_row(record)
        existing = (
            Comment.select(Comment, Thread)
            .join(Thread)
            .where(
                (Comment.stakeholder == stakeholder)
                & (Comment.created_at == posted_at)
                & (Comment.body == body)
                & (Thread.strategy == strategy)
            )
            .first()
        )
        if existing is not None:
            thread = existing.thread
        else:
            thread = Thread.create(
                plan=self.plan,
                strategy=strategy,
                benchmark=benchmark,
                period=period,
                stakeholder=stakeholder,
                language=language,
                created_at=posted_at,
                last_activity_at=posted_at,
            )
            comment = Comment.create(thread=thread, stakeholder=stakeholder, body=body, language=language, created_at=posted_at)
            AuditEvent.record(self.actor, "comment.imported", comment, thread=thread.id, row=number)
            self.result.threads += 1

        added_reply = False
        if reply is not None:
            person_key, replied_at, reply_body = reply
            already = (
                Comment.select()
                .where((Comment.thread == thread) & Comment.staff.is_null(False) & (Comment.created_at == replied_at) & (Comment.body == reply_body))
                .exists()
            )
            if not already:
                try:
                    user = self.staff_for(person_key)
                except RowError as error:
                    self.result.replies_left_out.append(RowProblem(number, str(error)))
                else:
                    Comment.create(thread=thread, staff=user, body=reply_body, language="", created_at=replied_at)
                    Thread.update(state="answered", last_activity_at=max(replied_at, thread.last_activity_at)).where(
                        (Thread.id == thread.id) & (Thread.state == "awaiting_reply")
                    ).execute()
                    self.result.replies += 1
                    added_reply = True
        if existing is not None and not added_reply:
            self.result.unchanged += 1


def import_feedback(plan, path, actor, dry_run=False):
    """Import the comments and replies in a CSV file; return an ImportResult.

    Rows that cannot be placed are rejected with their row number and reason, and the
    rest are imported. With dry_run everything is checked and counted, then rolled back.
    Raises FeedbackFileError when the file cannot be read at all.
    """
    rows = read_rows(path)
    importer = Importer(plan, actor)
    with transaction() as txn:
        for number, record in rows:
            try:
                importer.import_row(number, record)
            except RowError as error:
                importer.result.rejected.append(RowProblem(number, str(error)))
        if dry_run:
            txn.rollback()
    result = importer.result
    if not dry_run:
        logger.info(
            "Feedback file imported by %s: %s threads, %s replies, %s unchanged, %s rejected",
            actor, result.threads, result.replies, result.unchanged, len(result.rejected),
        )
    return result
