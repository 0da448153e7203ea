"""The figures of the board packet and the dashboard: progress and input per strategy and period."""

import dataclasses

from portal.feedback.models import Thread
from portal.plan.models import MonitoringPeriod, Strategy
from portal.plan.status import progress_for
from portal.review.charts import format_value
from portal.review.summary import summary_for
from portal.stakeholders.models import Stakeholder

OPEN_STATES = ("awaiting_reply", "answered")
STATUS_LABELS = {"on_track": "On track", "off_track": "Off track", "no_data": "No data yet", "not_due": "Not due yet"}


@dataclasses.dataclass
class StrategyFigures:
    strategy: Strategy
    progress: object  # portal.plan.status.StrategyProgress
    summary: dict
    open_threads: int

    def period_rows(self, period):
        """Return (indicator, cell) for the period, one per indicator."""
        return [(row.indicator, next(cell for cell in row.cells if cell.period.id == period.id)) for row in self.progress.rows]


def plan_periods(plan):
    return list(MonitoringPeriod.select().where(MonitoringPeriod.plan == plan).order_by(MonitoringPeriod.position))


def plan_schools():
    """Return the schools on the roster, sorted, without the empty name."""
    query = Stakeholder.select(Stakeholder.school).where(Stakeholder.school != "").distinct()
    return sorted(row.school for row in query)


def open_thread_counts(plan, period, school=None):
    """Return {strategy id: threads in the period still awaiting a reply or answered but not closed}."""
    query = (
        Thread.select(Thread.strategy)
        .join(Stakeholder)
        .where((Thread.plan == plan) & (Thread.period == period) & Thread.state.in_(OPEN_STATES))
    )
    if school is not None:
        query = query.where(Stakeholder.school == school)
    counts = {}
    for thread in query:
        counts[thread.strategy_id] = counts.get(thread.strategy_id, 0) + 1
    return counts


def strategy_figures(plan, period, school=None):
    """Return StrategyFigures for every strategy of the plan, in plan order."""
    strategies = list(Strategy.select().where(Strategy.plan == plan).order_by(Strategy.position))
    progress = progress_for(plan, strategies)
    open_counts = open_thread_counts(plan, period, school)
    return [
        StrategyFigures(
            strategy=strategy,
            progress=progress[strategy.id],
            summary=summary_for(strategy, period, school),
            open_threads=open_counts.get(strategy.id, 0),
        )
        for strategy in strategies
    ]


WITHHELD_NOTE = (
    "So few people took part that a total could point at someone. It is not shown, and neither is any count "
    "that would hint at it: threads, replies, loops closed, pulse answers, themes and languages."
)
# The headline figures that a summary withholds while its number of participants is hidden.
WITHHELD_LABELS = ("Threads", "Threads answered", "Median time to first reply", "90th percentile time to first reply", "Loops closed")


def count_text(value, min_size, reason=None):
    """Return a protected count as text: the number, "fewer than N" for a small row, or "not shown"."""
    if value is not None:
        return str(value)
    return f"fewer than {min_size}" if reason == "small" else "not shown"


def open_threads_text(item):
    """Return a strategy's open threads in the period as text; withheld with the summary's other counts."""
    return "not shown" if item.summary.get("figures_withheld") else str(item.open_threads)


def share_text(share):
    return "none yet" if share is None else f"{share * 100:.0f}%"


def hours_text(hours):
    if hours is None:
        return "no replies yet"
    return f"{hours:.1f} hours ({hours / 24:.1f} days)"


def headline_figures(summary):
    """Return the summary's headline figures as (label, text) pairs, the same on every page and in the PDF."""
    size = summary["min_group_size"]
    replies = summary["replies"]
    pairs = [
        ("Participants", count_text(summary["participants"], size)),
        ("Comments", count_text(summary["comments"], size)),
    ]
    if summary.get("figures_withheld"):
        pairs += [(label, "not shown") for label in WITHHELD_LABELS]
    else:
        pairs += [
            ("Threads", str(summary["threads"])),
            ("Threads answered", share_text(replies["answered_share"])),
            ("Median time to first reply", hours_text(replies["median_hours"])),
            ("90th percentile time to first reply", hours_text(replies["p90_hours"])),
            ("Loops closed", str(summary["loops_closed"]["count"])),
        ]
    invited = summary.get("invited")
    if invited:
        pairs.append(("Invited", str(invited["invited"])))
        pairs.append(("Invited who took part", count_text(invited["participated"], size)))
    return pairs


def group_rows(summary):
    """Return (label, participants text, comments text) for each group and the pooled row."""
    size = summary["min_group_size"]
    rows = [(row["label"], count_text(row["participants"], size, row["reason"]), count_text(row["comments"], size)) for row in summary["by_group"]]
    pool = summary.get("other_groups")
    # A pool of one group repeats that group's row, so it is listed only with two or more.
    if pool and len(pool["members"]) >= 2:
        rows.append(
            (
                "Other groups (" + ", ".join(pool["members"]) + ")",
                count_text(pool["participants"], size),
                count_text(pool["comments"], size),
            )
        )
    return rows


def indicator_rows(figures, period):
    """Return (indicator name, benchmark text, actual text, status label) for the period."""
    rows = []
    for indicator, cell in figures.period_rows(period):
        target = cell.benchmark.target if cell.benchmark else None
        rows.append((indicator.name, format_value(target, indicator.unit), format_value(cell.actual, indicator.unit), STATUS_LABELS[cell.status]))
    return rows
