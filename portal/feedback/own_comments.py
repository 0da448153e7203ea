"""Stakeholder actions besides commenting: the one-tap pulse, and editing or withdrawing a comment."""

import datetime
import logging

from flask import current_app

from portal.audit.models import AuditEvent
from portal.db import transaction, utcnow
from portal.feedback.models import PULSE_ANSWERS, Comment, PulseAnswer, Thread

logger = logging.getLogger(__name__)


def answer_pulse(stakeholder, benchmark, answer):
    """Record or change the stakeholder's answer to "Is this working at your school?"."""
    if answer not in PULSE_ANSWERS:
        raise ValueError(f"unknown pulse answer {answer!r}")
    now = utcnow()
    with transaction():
        existing = PulseAnswer.get_or_none(
            (PulseAnswer.benchmark == benchmark) & (PulseAnswer.stakeholder == stakeholder)
        )
        if existing is None:
            PulseAnswer.create(
                benchmark=benchmark,
                period=benchmark.period_id,
                stakeholder=stakeholder,
                group=stakeholder.group_id,
                school=stakeholder.school,
                answer=answer,
                answered_at=now,
            )
        else:
            existing.answer = answer
            existing.answered_at = now
            existing.save(only=[PulseAnswer.answer, PulseAnswer.answered_at])
    logger.info("Stakeholder %s answered the pulse on benchmark %s", stakeholder.id, benchmark.id)


def pulse_answers_of(stakeholder, benchmark_ids):
    """Return {benchmark id: answer} for the stakeholder's answers on those benchmarks."""
    if not benchmark_ids:
        return {}
    rows = PulseAnswer.select(PulseAnswer.benchmark, PulseAnswer.answer).where(
        (PulseAnswer.stakeholder == stakeholder) & PulseAnswer.benchmark.in_(list(benchmark_ids))
    )
    return {row.benchmark_id: row.answer for row in rows}


def pulse_tallies(benchmark_ids):
    """Return {benchmark id: {answer: count}} for staff pages."""
    from peewee import fn

    tallies = {}
    if not benchmark_ids:
        return tallies
    rows = (
        PulseAnswer.select(PulseAnswer.benchmark, PulseAnswer.answer, fn.COUNT(PulseAnswer.id).alias("answers"))
        .where(PulseAnswer.benchmark.in_(list(benchmark_ids)))
        .group_by(PulseAnswer.benchmark, PulseAnswer.answer)
    )
    for row in rows:
        tallies.setdefault(row.benchmark_id, dict.fromkeys(PULSE_ANSWERS, 0))[row.answer] = row.answers
    return tallies


def current_edit_minutes():
    return current_app.config["COMMENT_EDIT_MINUTES"]


def editable_until(comment):
    """Return the UTC moment after which the author can no longer edit or withdraw the comment."""
    return comment.created_at + datetime.timedelta(minutes=current_edit_minutes())


def can_change(comment, stakeholder, now=None, thread_comments=None):
    """Return True if the stakeholder wrote the comment and may still edit or withdraw it.

    A comment that staff have replied to stays as it was, so the reply keeps answering it.
    thread_comments, the thread's comments in order, spares a query when a page has them.
    """
    now = now or utcnow()
    if (
        stakeholder is None
        or comment.stakeholder_id != stakeholder.id
        or comment.withdrawn_at is not None
        or comment.hidden_at is not None
        or now >= editable_until(comment)
    ):
        return False
    if thread_comments is None:
        thread_comments = Comment.select().where(Comment.thread == comment.thread_id)
    return not any(
        later.staff_id is not None and not later.internal and later.id > comment.id for later in thread_comments
    )


def edit_comment(comment, stakeholder, body):
    """Replace the comment's text. The caller has checked can_change."""
    now = utcnow()
    with transaction():
        old_body = comment.body
        comment.body = body
        comment.edited_at = now
        comment.save(only=[Comment.body, Comment.edited_at])
        AuditEvent.record(f"stakeholder:{stakeholder.id}", "comment.edited", comment, old=old_body, new=body)
    logger.info("Stakeholder %s edited comment %s", stakeholder.id, comment.id)


def withdraw_comment(comment, stakeholder):
    """Withdraw the comment. The caller has checked can_change.

    The text is kept for the audit trail but no longer shown. A thread whose every
    stakeholder comment is withdrawn, and which staff have not answered, leaves the inbox.
    """
    now = utcnow()
    with transaction():
        comment.withdrawn_at = now
        comment.save(only=[Comment.withdrawn_at])
        remaining = Comment.select().where(
            (Comment.thread == comment.thread_id)
            & (Comment.withdrawn_at.is_null() & Comment.stakeholder.is_null(False) | Comment.staff.is_null(False))
        )
        if not remaining.exists():
            Thread.update(state="withdrawn").where(Thread.id == comment.thread_id).execute()
        AuditEvent.record(f"stakeholder:{stakeholder.id}", "comment.withdrawn", comment, thread=comment.thread_id)
    logger.info("Stakeholder %s withdrew comment %s", stakeholder.id, comment.id)
