"""The audit trail: who changed what, and when."""

import json
import logging

import peewee as pw

from portal.db import BaseModel, utcnow

logger = logging.getLogger(__name__)


class AuditEvent(BaseModel):
    """One recorded action. details contains JSON such as old and new values."""

    actor = pw.CharField(max_length=100)  # "staff:3", "stakeholder:12" or "cli"
    action = pw.CharField(max_length=100, index=True)
    object_type = pw.CharField(max_length=50)
    object_id = pw.IntegerField(null=True)
    created_at = pw.DateTimeField(default=utcnow)
    details = pw.TextField(default="{}")

    @classmethod
    def record(cls, actor, action, obj=None, **details):
        """Store an event about obj (a model instance, or None) and return it."""
        return cls.create(
            actor=actor,
            action=action,
            object_type=type(obj).__name__ if obj is not None else "",
            object_id=obj.id if obj is not None else None,
            details=json.dumps(details, default=str, sort_keys=True),
        )


MODELS = [AuditEvent]
