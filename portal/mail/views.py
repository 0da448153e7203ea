"""The outbox page where staff read queued, sent and failed mail."""

from flask import Blueprint, render_template
from flask_login import current_user

from portal.auth.guards import staff_required
from portal.mail.models import OutboxMessage

bp = Blueprint("mail", __name__)

PAGE_SIZE = 100


@bp.route("/outbox")
@staff_required()
def outbox():
    """List the latest messages: all of them for leaders and admins, a point person's own otherwise."""
    messages = OutboxMessage.select().order_by(OutboxMessage.id.desc()).limit(PAGE_SIZE)
    if current_user.role == "point-person":
        messages = messages.where(OutboxMessage.created_by == current_user.id)
    return render_template("mail/outbox.html", messages=list(messages))
