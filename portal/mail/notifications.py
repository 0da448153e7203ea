"""Signed links that turn a stakeholder's reply email off and on, and the changes they make."""

import logging

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

from portal.audit.models import AuditEvent
from portal.db import transaction
from portal.mail.models import STAKEHOLDER_KINDS, OutboxMessage
from portal.stakeholders.models import Stakeholder

logger = logging.getLogger(__name__)

# Separates these tokens from anything else signed with the secret key.
TOKEN_SALT = "stop-notifications"


def serializer():
    return URLSafeSerializer(current_app.secret_key, salt=TOKEN_SALT)


def notification_token(stakeholder):
    """Return the signed token naming the stakeholder.

    It never expires, so the link in an old email still works. Changing SECRET_KEY
    invalidates every token already sent.
    """
    return serializer().dumps(stakeholder.id)


def stop_notifications_url(stakeholder):
    """Return the one-click link, built from the configured base URL, that stops reply email."""
    return f"{current_app.config['BASE_URL']}/notifications/stop/{notification_token(stakeholder)}"


def unsubscribe_headers(url):
    """Return the List-Unsubscribe headers (RFC 2369, one-click POST as in RFC 8058) for url."""
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def stakeholder_for_token(token):
    """Return the stakeholder a token names, or None when the token is tampered with or the stakeholder is gone."""
    try:
        stakeholder_id = serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(stakeholder_id, int):
        return None
    return Stakeholder.get_or_none(Stakeholder.id == stakeholder_id)


def set_notifications(stakeholder, enabled, **details):
    """Turn the stakeholder's reply email on or off, record the change, and return True if there was one.

    details go into the audit event, such as one_click=True for a mail client's request.
    """
    with transaction():
        changed = (
            Stakeholder.update(notifications_enabled=enabled)
            .where((Stakeholder.id == stakeholder.id) & (Stakeholder.notifications_enabled != enabled))
            .execute()
        )
        if changed and not enabled:
            # Mail already queued (or failed and resendable) would still reach them otherwise.
            details["cancelled"] = (
                OutboxMessage.update(state="cancelled", last_error="The recipient stopped email about replies.")
                .where(
                    (OutboxMessage.recipient == stakeholder.email)
                    & OutboxMessage.state.in_(("queued", "failed"))
                    & OutboxMessage.kind.in_(STAKEHOLDER_KINDS)
                )
                .execute()
            )
        if changed:
            action = "notifications.started" if enabled else "notifications.stopped"
            AuditEvent.record(f"stakeholder:{stakeholder.id}", action, stakeholder, **details)
    stakeholder.notifications_enabled = enabled
    if changed:
        logger.info("Stakeholder %s turned reply email %s", stakeholder.id, "on" if enabled else "off")
    return bool(changed)
