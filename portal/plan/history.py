"""The change history of plan data: who changed which fields of an item, when, from what to what.

Each change is an AuditEvent with action "plan.create", "plan.update" or "plan.delete", the
item's model name and id, and details {"changes": {field: [old, new]}}. Values are stored as
JSON text, so dates and numbers come back as strings and numbers.
"""

import datetime
import json

from portal.audit.models import AuditEvent


CHANGE_ACTIONS = ("plan.create", "plan.update", "plan.delete")


def snapshot(item, fields):
    """Return {field: value} for the named fields of a model instance, as JSON-ready values."""
    values = {}
    for field in fields:
        value = getattr(item, f"{field}_id") if hasattr(item, f"{field}_id") else getattr(item, field)
        if isinstance(value, (datetime.date, datetime.datetime)):
            value = value.isoformat()
        values[field] = value
    return values


def record_change(actor, item, before, after, action="plan.update"):
    """Record the fields whose values differ between two snapshots; return the event or None.

    actor is a string such as "staff:3" or "cli". Nothing is recorded when no field changed.
    For a new item pass before={}, and for a deleted one after={}.
    """
    changes = {}
    for field in sorted(set(before) | set(after)):
        old, new = before.get(field), after.get(field)
        if old != new:
            changes[field] = [old, new]
    if not changes:
        return None
    return AuditEvent.record(actor, action, item, changes=changes)


def history_of(item):
    """Return the item's recorded changes, newest first, each with .changes parsed."""
    events = list(
        AuditEvent.select()
        .where(
            (AuditEvent.object_type == type(item).__name__)
            & (AuditEvent.object_id == item.id)
            # Not startswith("plan."): the import's own "plan.imported" event carries no changes.
            & (AuditEvent.action.in_(CHANGE_ACTIONS))
        )
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    for event in events:
        event.changes = json.loads(event.details).get("changes", {})
    return events
