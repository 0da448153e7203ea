"""The "You said, we did" report: themes stakeholders raised in a period and what was done."""

import dataclasses

import peewee as pw

from portal.feedback.models import Comment, Theme, Thread, ThreadTheme


@dataclasses.dataclass
class ClosedLoop:
    outcome: str
    note: str
    themes: list
    reflection_id: int | None
    closed_at: object


@dataclasses.dataclass
class Report:
    threads: int
    answered: int
    themes: list  # (label, number of threads), most raised first
    untagged: int
    closed: list

    @property
    def reflection_ids(self):
        return sorted({item.reflection_id for item in self.closed if item.reflection_id})


def you_said_we_did(strategy, period):
    """Build the report for a strategy and period, leaving out threads whose opening comment is hidden."""
    opening_hidden = (
        Comment.select(Comment.thread)
        .where(Comment.hidden_at.is_null(False))
        .where(Comment.id == Comment.select(pw.fn.MIN(Comment.id).alias("first")).where(Comment.thread == Thread.id))
    )
    threads = list(
        Thread.select()
        .where((Thread.strategy == strategy) & (Thread.period == period) & Thread.id.not_in(opening_hidden))
        .order_by(Thread.closed_at.desc(nulls="LAST"), Thread.id)
    )
    thread_ids = [thread.id for thread in threads]
    links = list(
        ThreadTheme.select(ThreadTheme, Theme).join(Theme).where(ThreadTheme.thread.in_(thread_ids))
    ) if thread_ids else []

    themes_by_thread = {}
    for link in links:
        themes_by_thread.setdefault(link.thread_id, []).append(link.theme.label)
    counts = {}
    for labels in themes_by_thread.values():
        for label in labels:
            counts[label] = counts.get(label, 0) + 1

    closed = [
        ClosedLoop(t.outcome, t.outcome_note, sorted(themes_by_thread.get(t.id, [])), t.reflection_id, t.closed_at)
        for t in threads
        if t.state == "closed"
    ]
    return Report(
        threads=len(threads),
        answered=sum(1 for t in threads if t.state in ("answered", "closed")),
        themes=sorted(counts.items(), key=lambda item: (-item[1], item[0])),
        untagged=sum(1 for t in threads if t.id not in themes_by_thread),
        closed=closed,
    )
