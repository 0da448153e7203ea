"""The stakeholder input summary of a strategy in a monitoring period, as a plain dict.

What counts: the threads on the strategy (or its benchmarks) assigned to the period, except
threads whose author withdrew every comment; in them, the stakeholders' comments that were
not withdrawn (hidden comments still count as input received, but are never quoted); and
the pulse answers on the strategy's benchmarks for the period. A participant is a
stakeholder with such a comment or pulse answer, counted once. Group and school are the
stakeholder's current ones for comments and the ones copied into the pulse answer for
answers. Counts by group and by school are protected as portal.review.suppression describes,
and build_summary withholds every other count while the number of participants is hidden.
"""

import collections
import json
import math
import statistics

import peewee as pw
from flask import current_app

from portal.auth.models import StaffUser
from portal.db import utcnow
from portal.feedback.models import OUTCOMES, PULSE_ANSWERS, Comment, PulseAnswer, Theme, Thread, ThreadTheme
from portal.plan.models import Benchmark, LeadingIndicator
from portal.review.models import InputSummary, SummaryExcerpt
from portal.review.suppression import SMALL, Cell, protect
from portal.stakeholders.models import Campaign, CampaignStrategy, Invitation, Stakeholder, StakeholderGroup

# An excerpt names its author's group only when that group has at least this many
# participants in the summary. In a smaller group the quote points at too few people.
EXCERPT_GROUP_MIN_PARTICIPANTS = 10
NO_SCHOOL = "No school given"
PERCENTILE_METHOD = "nearest-rank method: the value at position ceil(0.9 * n) of the n sorted times"


def nearest_rank(values, percent):
    """Return the percentile of values by the nearest-rank method, or None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def summary_threads(strategy, period, school, *columns):
    """Return a query of the columns of the counted threads; school limits them to that school's stakeholders."""
    query = (
        Thread.select(*columns)
        .join(Stakeholder)
        .where((Thread.strategy == strategy) & (Thread.period == period) & (Thread.state != "withdrawn"))
    )
    if school is not None:
        query = query.where(Stakeholder.school == school)
    return query


def count_input(strategy, period, school=None):
    """Collect the raw, unprotected figures; school limits them to that school's stakeholders.

    Rows come as named tuples of the columns the summary counts, because building full
    model instances took most of the time for thousands of threads.
    """
    threads = list(
        summary_threads(strategy, period, school, Thread.id, Thread.created_at, Thread.state, Thread.outcome)
        .order_by(Thread.created_at, Thread.id)
        .namedtuples()
    )
    # The threads' ids as a subquery: a list of thousands of ids would exceed the
    # database's limit on query parameters.
    thread_ids = summary_threads(strategy, period, school, Thread.id)
    groups = {group.id: group for group in StakeholderGroup.select()}

    comments = []
    replies = []
    if threads:
        comments = list(
            Comment.select(
                Comment.stakeholder.alias("author"),
                Stakeholder.group.alias("group_id"),
                Stakeholder.school.alias("school"),
                Comment.language.alias("language"),
            )
            .join(Stakeholder)
            .where(
                Comment.thread.in_(thread_ids)
                & (Comment.internal == False)  # noqa: E712
                & Comment.withdrawn_at.is_null()
            )
            .order_by(Comment.created_at, Comment.id)
            .namedtuples()
        )
        replies = list(
            Comment.select(Comment.thread.alias("thread_id"), Comment.created_at.alias("created_at"))
            .where(Comment.thread.in_(thread_ids) & Comment.staff.is_null(False) & (Comment.internal == False))  # noqa: E712
            .order_by(Comment.created_at)
            .namedtuples()
        )

    pulse_query = (
        PulseAnswer.select(
            PulseAnswer.benchmark.alias("benchmark_id"),
            PulseAnswer.answer.alias("answer"),
            PulseAnswer.stakeholder.alias("stakeholder_id"),
            PulseAnswer.group.alias("group_id"),
            PulseAnswer.school.alias("school"),
        )
        .join(Benchmark)
        .join(LeadingIndicator)
        .where((LeadingIndicator.strategy == strategy) & (PulseAnswer.period == period))
    )
    if school is not None:
        pulse_query = pulse_query.where(PulseAnswer.school == school)
    pulse_answers = list(pulse_query.namedtuples())

    # stakeholder id -> (group id, school)
    participants = {}
    for comment in comments:
        participants.setdefault(comment.author, (comment.group_id, comment.school))
    for answer in pulse_answers:
        participants.setdefault(answer.stakeholder_id, (answer.group_id, answer.school))

    return {
        "threads": threads,
        "thread_ids": thread_ids,
        "comments": comments,
        "replies": replies,
        "pulse_answers": pulse_answers,
        "participants": participants,
        "groups": groups,
    }


def group_cells(raw):
    participants = collections.Counter(group_id for group_id, _school in raw["participants"].values())
    comments = collections.Counter(comment.group_id for comment in raw["comments"])
    ordered = sorted(raw["groups"].values(), key=lambda group: (group.position, group.id))
    return [Cell(group.key, group.label, participants[group.id], comments[group.id]) for group in ordered]


def school_cells(raw):
    participants = collections.Counter(school for _group_id, school in raw["participants"].values())
    comments = collections.Counter(comment.school for comment in raw["comments"])
    schools = sorted(set(participants) | set(comments), key=lambda name: (name == "", name))
    return [Cell(name, name or NO_SCHOOL, participants[name], comments[name]) for name in schools]


def reply_times(raw):
    """Return the hours from each answered thread's start to its first staff reply."""
    first_reply = {}
    for reply in raw["replies"]:
        first_reply.setdefault(reply.thread_id, reply.created_at)
    hours = []
    for thread in raw["threads"]:
        replied_at = first_reply.get(thread.id)
        if replied_at is not None:
            hours.append((replied_at - thread.created_at).total_seconds() / 3600)
    return hours


def invited_table(strategy, period, raw, min_size, hide_total=False, school=None, hidden=()):
    """Return invited against participated, from the period's campaigns that cover the strategy.

    hide_total hides every participated count, for a summary that hides its total. school
    counts only the stakeholders of that school, and hidden names groups to show as hidden.
    """
    covering = (
        Campaign.select(Campaign.id)
        .where(
            (Campaign.period == period)
            & Campaign.revoked_at.is_null()
            & (
                (Campaign.whole_plan == True)  # noqa: E712
                | Campaign.id.in_(CampaignStrategy.select(CampaignStrategy.campaign).where(CampaignStrategy.strategy == strategy))
            )
        )
    )

    query = Stakeholder.select(Stakeholder.id, Stakeholder.group, Stakeholder.school).where(
        Stakeholder.id.in_(Invitation.select(Invitation.stakeholder).where(Invitation.campaign.in_(covering)))
    )
    if school is not None:
        query = query.where(Stakeholder.school == school)
    invited = list(query)
    if not invited:
        return None

    took_part = [person for person in invited if person.id in raw["participants"]]
    groups = raw["groups"]
    invited_by_group = collections.Counter(person.group_id for person in invited)
    took_part_by_group = collections.Counter(person.group_id for person in took_part)
    ordered = sorted((groups[group_id] for group_id in invited_by_group), key=lambda group: (group.position, group.id))
    cells = [Cell(group.key, group.label, took_part_by_group[group.id]) for group in ordered]
    protected = protect(cells, min_size, hide_total, hidden=hidden)
    protected_rows = {row["key"]: row for row in protected["rows"]}

    rows = []
    for group in ordered:
        row = protected_rows.get(group.key)
        rows.append(
            {
                "group": group.key,
                "label": group.label,
                "invited": invited_by_group[group.id],
                # Nobody from the group took part. Shown as "fewer than N" too, because next
                # to a group of one invited person a 0 and a "fewer than N" tell them apart.
                "participated": row["participants"] if row else None,
                "suppressed": row["suppressed"] if row else True,
                "reason": row["reason"] if row else SMALL,
            }
        )
    return {
        "invited": len(invited),
        "participated": protected["total"]["participants"],
        "by_group": rows,
        "other_groups": protected["pool"],
    }


def pulse_table(strategy, period, raw):
    benchmarks = (
        Benchmark.select(Benchmark, LeadingIndicator)
        .join(LeadingIndicator)
        .where((LeadingIndicator.strategy == strategy) & (Benchmark.period == period) & Benchmark.superseded_by.is_null())
        .order_by(LeadingIndicator.position, Benchmark.position, Benchmark.id)
    )
    counts = collections.defaultdict(collections.Counter)
    for answer in raw["pulse_answers"]:
        counts[answer.benchmark_id][answer.answer] += 1
    rows = []
    for benchmark in benchmarks:
        answers = {answer: counts[benchmark.id][answer] for answer in PULSE_ANSWERS}
        rows.append(
            {
                "benchmark": benchmark.id,
                "indicator": benchmark.indicator.key,
                "indicator_name": benchmark.indicator.name,
                "answers": answers,
                "total": sum(answers.values()),
            }
        )
    return rows


def quotable(raw):
    """Return the group ids and the schools with enough participants to be named beside a quote."""
    groups = collections.Counter(group_id for group_id, _school in raw["participants"].values())
    schools = collections.Counter(school for _group_id, school in raw["participants"].values())
    return (
        {group_id for group_id, count in groups.items() if count >= EXCERPT_GROUP_MIN_PARTICIPANTS},
        {school for school, count in schools.items() if count >= EXCERPT_GROUP_MIN_PARTICIPANTS},
    )


def excerpt_rows(strategy, period, raw, min_size):
    named_groups, _named_schools = quotable(raw)
    excerpts = (
        SummaryExcerpt.select(SummaryExcerpt, Comment, Stakeholder, StaffUser)
        .join(Comment)
        .join(Stakeholder)
        .switch(SummaryExcerpt)
        .join(StaffUser, pw.JOIN.LEFT_OUTER, on=(SummaryExcerpt.chosen_by == StaffUser.id))
        .where(
            (SummaryExcerpt.strategy == strategy)
            & (SummaryExcerpt.period == period)
            & Comment.hidden_at.is_null()
            & Comment.withdrawn_at.is_null()
        )
        .order_by(Comment.created_at, Comment.id)
    )
    rows = []
    for excerpt in excerpts:
        comment = excerpt.comment
        group = raw["groups"].get(comment.stakeholder.group_id)
        named = group is not None and group.id in named_groups
        rows.append(
            {
                "id": excerpt.id,
                "comment": comment.id,
                "body": comment.body,
                "language": comment.language,
                "group": group.label if named else None,
                "chosen_by": excerpt.chosen_by.display_name if excerpt.chosen_by_id else None,
                "chosen_at": excerpt.chosen_at.isoformat(),
            }
        )
    return rows


def protected_counts(row):
    return {key: row[key] for key in ("label", "participants", "comments", "suppressed", "reason")}


def whole_figures(strategy, period, raw):
    """Return the figures about the input as a whole, before any protection.

    Keys: threads, pulse, themes, replies, loops_closed and languages, as build_summary
    describes them.
    """
    hours = reply_times(raw)
    threads = raw["threads"]
    theme_counts = collections.Counter()
    if threads:
        labels = Theme.select(Theme.label).join(ThreadTheme).where(ThreadTheme.thread.in_(raw["thread_ids"])).tuples()
        theme_counts.update(label for (label,) in labels)
    closed = [thread for thread in threads if thread.state == "closed"]
    outcomes = collections.Counter(thread.outcome for thread in closed if thread.outcome)
    return {
        "threads": len(threads),
        "pulse": pulse_table(strategy, period, raw),
        "themes": [{"theme": label, "threads": count} for label, count in sorted(theme_counts.items(), key=lambda item: (-item[1], item[0]))],
        "replies": {
            "answered": len(hours),
            "answered_share": round(len(hours) / len(threads), 3) if threads else None,
            "median_hours": round(statistics.median(hours), 1) if hours else None,
            "p90_hours": round(nearest_rank(hours, 90), 1) if hours else None,
            "percentile_method": PERCENTILE_METHOD,
        },
        "loops_closed": {"count": len(closed), "outcomes": {outcome: outcomes[outcome] for outcome in OUTCOMES}},
        "languages": dict(sorted(collections.Counter(comment.language for comment in raw["comments"]).items())),
    }


def protected_languages(raw, min_size):
    """Return ({language: comments} for languages with at least min_size writers, the rest pooled).

    The pool is a dict of comments and writers for the other languages together, shown
    only from min_size writers (else its comments are None), or None when nothing is pooled.
    """
    writers = collections.defaultdict(set)
    comments = collections.Counter()
    for comment in raw["comments"]:
        writers[comment.language].add(comment.author)
        comments[comment.language] += 1
    shown = {language: comments[language] for language in sorted(writers) if len(writers[language]) >= min_size}
    pooled = [language for language in writers if language not in shown]
    if not pooled:
        return shown, None
    pooled_writers = set().union(*(writers[language] for language in pooled))
    safe = len(pooled_writers) >= min_size
    return shown, {"comments": sum(comments[language] for language in pooled) if safe else None, "suppressed": not safe}


def withhold(figures):
    """Return the whole figures with every count replaced by None, and no languages.

    Each of them bounds the number of participants (a pulse answer is one person, a
    thread at least one), so none may be shown while that number is hidden.
    """
    return {
        "threads": None,
        "pulse": [{**row, "answers": {answer: None for answer in row["answers"]}, "total": None} for row in figures["pulse"]],
        "themes": [{"theme": row["theme"], "threads": None} for row in figures["themes"]],
        "replies": {
            "answered": None,
            "answered_share": None,
            "median_hours": None,
            "p90_hours": None,
            "percentile_method": PERCENTILE_METHOD,
        },
        "loops_closed": {"count": None, "outcomes": {outcome: None for outcome in OUTCOMES}},
        # A language's name alone can point at the one person who writes in it.
        "languages": {},
    }


def hidden_by_whole(strategy, period, school, raw, min_size):
    """Return what a one-school summary must hide so that it and the whole summary reveal nothing together.

    Returns (school_hidden, group keys). The school's total is hidden when the whole
    summary hides the school's row, which its total would reveal. A group is hidden when
    the whole summary hides it (adding it up across schools would reveal it), or when the
    whole count minus this school's leaves 1 to min_size - 1 people at other schools.
    """
    whole_raw = count_input(strategy, period)
    whole_cells = group_cells(whole_raw)
    whole_groups = protect(whole_cells, min_size)
    whole_schools = protect(school_cells(whole_raw), min_size)
    school_hidden = any(row["key"] == school and row["suppressed"] for row in whole_schools["rows"])
    hidden = {row["key"] for row in whole_groups["rows"] if row["suppressed"]}
    whole_counts = {cell.key: cell.participants for cell in whole_cells}
    for cell in group_cells(raw):
        if cell.participants and 0 < whole_counts[cell.key] - cell.participants < min_size:
            hidden.add(cell.key)
    return school_hidden or whole_groups["total"]["suppressed"], hidden


def build_summary(strategy, period, school=None):
    """Compute the live summary of a strategy in a period as a plain dict, ready for JSON.

    Keys: comments and participants (None when small-group protection hides them),
    by_group and by_school (rows of {group or school, label, participants, comments,
    suppressed}) with other_groups and other_schools (the pooled rows, or None),
    invited (from the period's campaigns that cover the strategy, or None), and
    excerpts. Then the whole figures: threads, pulse (per benchmark), themes, replies
    (answered share, median and 90th percentile of hours to the first staff reply),
    loops_closed and languages.

    The number of participants is one figure, whichever table it is added up from: when
    either the groups or the schools have to hide it, every table hides all its counts
    (step 4 of portal.review.suppression). While it is hidden, every whole figure is
    withheld too (figures_withheld is True), because each would bound it. A summary for
    one school also hides what hidden_by_whole finds that the whole summary would reveal.
    """
    min_size = current_app.config["MIN_GROUP_SIZE"]
    raw = count_input(strategy, period, school)
    school_hidden, hidden_groups = False, set()
    if school is not None:
        school_hidden, hidden_groups = hidden_by_whole(strategy, period, school, raw, min_size)
    groups = protect(group_cells(raw), min_size, hidden=hidden_groups)
    schools = protect(school_cells(raw), min_size)
    withheld = school_hidden or groups["total"]["suppressed"] or schools["total"]["suppressed"]
    figures = whole_figures(strategy, period, raw)
    figures["languages"], other_languages = protected_languages(raw, min_size)
    if withheld:
        groups = protect(group_cells(raw), min_size, hide_total=True)
        schools = protect(school_cells(raw), min_size, hide_total=True)
        figures = withhold(figures)

    return {
        "strategy": {"key": strategy.key, "name": strategy.name},
        "period": {"key": period.key, "label": period.label},
        "school": school,
        "generated_at": utcnow().isoformat(timespec="seconds"),
        "min_group_size": min_size,
        "comments": groups["total"]["comments"],
        "participants": groups["total"]["participants"],
        "participants_suppressed": withheld,
        "figures_withheld": withheld,
        "by_group": [
            {"group": row["key"], **protected_counts(row)}
            for row in groups["rows"]
        ],
        "other_groups": groups["pool"],
        "by_school": [
            {"school": row["key"], **protected_counts(row)}
            for row in schools["rows"]
        ],
        "other_schools": schools["pool"],
        "invited": invited_table(strategy, period, raw, min_size, withheld, school, hidden_groups),
        "other_languages": None if withheld else other_languages,
        **figures,
        "excerpts": excerpt_rows(strategy, period, raw, min_size),
        "frozen": None,
    }


def frozen_summary(strategy, period):
    """Return the InputSummary frozen for a strategy in a period, with who froze it, or None."""
    return (
        InputSummary.select(InputSummary, StaffUser)
        .join(StaffUser, pw.JOIN.LEFT_OUTER, on=(InputSummary.frozen_by == StaffUser.id))
        .where((InputSummary.strategy == strategy) & (InputSummary.period == period))
        .first()
    )


def summary_for(strategy, period, school=None):
    """Return the frozen summary once the period was closed, else the live one.

    A school filter always computes live figures, because only whole summaries are frozen.
    """
    if school is None:
        frozen = frozen_summary(strategy, period)
        if frozen is not None:
            data = json.loads(frozen.data)
            data["frozen"] = {
                "at": frozen.frozen_at.isoformat(timespec="seconds"),
                "by": frozen.frozen_by.display_name if frozen.frozen_by_id else None,
            }
            return data
    return build_summary(strategy, period, school)
