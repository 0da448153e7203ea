"""The outbox: every email is a row here before it is sent."""

import peewee as pw

from portal.auth.models import StaffUser
from portal.db import BaseModel, utcnow

# "cancelled": the recipient stopped this kind of email before it was sent.
MESSAGE_STATES = ("queued", "sent", "failed", "cancelled")
# Kinds of email about a stakeholder's own comments, which the stop-email link ends.
STAKEHOLDER_KINDS = ("reply", "closed", "hidden")


class OutboxMessage(BaseModel):
    """An email waiting to be sent, sent, or given up on."""

    recipient = pw.CharField(max_length=254)
    subject = pw.CharField(max_length=300)
    body_text = pw.TextField()
    body_html = pw.TextField(default="")
    kind = pw.CharField(max_length=50, default="")
    state = pw.CharField(max_length=20, default="queued")
    attempts = pw.IntegerField(default=0)
    next_attempt_at = pw.DateTimeField(default=utcnow)
    last_error = pw.TextField(default="")
    created_at = pw.DateTimeField(default=utcnow)
    sent_at = pw.DateTimeField(null=True)
    # Extra headers as JSON, such as List-Unsubscribe.
    headers = pw.TextField(default="{}")
    # The staff member whose action queued the message, if any.
    created_by = pw.ForeignKeyField(StaffUser, null=True, on_delete="SET NULL")

    class Meta:
        indexes = ((("state", "next_attempt_at"), False),)

    @classmethod
    def due(cls, now, limit):
        """Return queued messages whose next attempt is due, oldest first."""
        return (
            cls.select()
            .where((cls.state == "queued") & (cls.next_attempt_at <= now))
            .order_by(cls.next_attempt_at, cls.id)
            .limit(limit)
        )


class DigestLog(BaseModel):
    """A digest sent to one recipient for one day, so a second run that day sends nothing."""

    kind = pw.CharField(max_length=20)  # "daily" or "weekly"
    recipient = pw.CharField(max_length=254)
    day = pw.DateField()
    created_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("kind", "recipient", "day"), True),)


MODELS = [OutboxMessage, DigestLog]
