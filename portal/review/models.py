"""Aggregated stakeholder input per strategy and monitoring period."""

import peewee as pw

from portal.auth.models import StaffUser
from portal.db import BaseModel, utcnow
from portal.feedback.models import Comment
from portal.plan.models import MonitoringPeriod, Strategy


class InputSummary(BaseModel):
    """The input on a strategy in a period, frozen as JSON when the period is closed."""

    strategy = pw.ForeignKeyField(Strategy, on_delete="CASCADE")
    period = pw.ForeignKeyField(MonitoringPeriod, on_delete="CASCADE")
    data = pw.TextField(default="{}")
    frozen_at = pw.DateTimeField(default=utcnow)
    frozen_by = pw.ForeignKeyField(StaffUser, null=True, on_delete="SET NULL")

    class Meta:
        indexes = ((("strategy", "period"), True),)


class SummaryExcerpt(BaseModel):
    """A stakeholder comment that staff chose to quote in a strategy's input summary for a period."""

    strategy = pw.ForeignKeyField(Strategy, on_delete="CASCADE")
    period = pw.ForeignKeyField(MonitoringPeriod, on_delete="CASCADE")
    comment = pw.ForeignKeyField(Comment, on_delete="CASCADE")
    chosen_by = pw.ForeignKeyField(StaffUser, null=True, on_delete="SET NULL")
    chosen_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("strategy", "period", "comment"), True),)


MODELS = [InputSummary, SummaryExcerpt]
