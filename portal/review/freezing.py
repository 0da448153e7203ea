"""Freeze each strategy's input summary when a monitoring period is closed."""

import datetime
import json
import logging
import zoneinfo

from flask import current_app

from portal.db import transaction
from portal.plan.history import record_change, snapshot
from portal.plan.models import CheckIn, LeadingIndicator, Strategy
from portal.review.models import InputSummary
from portal.review.summary import build_summary

logger = logging.getLogger(__name__)


def summary_url(strategy, period):
    return f"{current_app.config['BASE_URL']}/review/strategies/{strategy.key}/periods/{period.key}"


def evidence_line(strategy, period, frozen):
    """Return the evidence line for a frozen summary, with the time in the district's time zone."""
    closed_by = frozen.frozen_by.display_name if frozen.frozen_by_id else "the system"
    zone = zoneinfo.ZoneInfo(strategy.plan.time_zone)
    frozen_at = frozen.frozen_at.replace(tzinfo=datetime.timezone.utc).astimezone(zone)
    return (
        f"Stakeholder input summary for {period.label}, frozen {frozen_at:%Y-%m-%d %H:%M} {frozen_at.tzname()} "
        f"by {closed_by}: {summary_url(strategy, period)}"
    )


def attach_to_check_ins(strategy, period, frozen, actor):
    """Add a line linking the frozen summary to the evidence of the strategy's check-ins in the period."""
    line = evidence_line(strategy, period, frozen)
    check_ins = CheckIn.select().join(LeadingIndicator).where((LeadingIndicator.strategy == strategy) & (CheckIn.period == period))
    for check_in in check_ins:
        if summary_url(strategy, period) in check_in.evidence:
            continue
        before = snapshot(check_in, ["evidence"])
        check_in.evidence = f"{check_in.evidence.rstrip()}\n\n{line}".lstrip()
        check_in.save(only=[CheckIn.evidence])
        record_change(actor, check_in, before, snapshot(check_in, ["evidence"]))


def freeze_period(period, staff_user):
    """Store each strategy's summary for the period as an InputSummary; return the new rows.

    A summary frozen earlier is kept as it was, even when the period was reopened and
    closed again, so a frozen summary never changes. Each new summary is linked from the
    evidence of the strategy's check-ins for the period, with the change recorded in the
    plan history.
    """
    actor = staff_user.get_id() if staff_user is not None else "system"
    created = []
    with transaction():
        strategies = Strategy.select().where(Strategy.plan == period.plan_id).order_by(Strategy.position)
        for strategy in strategies:
            if InputSummary.select().where((InputSummary.strategy == strategy) & (InputSummary.period == period)).exists():
                continue
            data = build_summary(strategy, period)
            frozen = InputSummary.create(strategy=strategy, period=period, data=json.dumps(data), frozen_by=staff_user)
            frozen.frozen_by = staff_user
            attach_to_check_ins(strategy, period, frozen, actor)
            created.append(frozen)
    logger.info("Period %s: froze %s input summaries for %s", period.id, len(created), actor)
    return created
