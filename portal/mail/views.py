"""The outbox page where staff read queued, sent and failed mail, and resend failed mail."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from peewee import fn

from portal.auth.guards import staff_required
from portal.mail.models import MESSAGE_STATES, OutboxMessage
from portal.mail.operations import resend

bp = Blueprint("mail", __name__)

PAGE_SIZE = 100

# Roles that may resend any failed message. Point persons only read their own messages.
RESEND_ROLES = ("admin", "leader")


def visible_messages():
    """Return a query of the messages the signed-in staff member may see."""
    query = OutboxMessage.select()
    if current_user.role == "point-person":
        query = query.where(OutboxMessage.created_by == current_user.id)
    return query


def state_counts():
    """Return {state: count} over the visible messages, with every state present."""
    counts = dict.fromkeys(MESSAGE_STATES, 0)
    query = visible_messages().select(OutboxMessage.state, fn.COUNT(OutboxMessage.id)).group_by(OutboxMessage.state)
    for state, total in query.tuples():
        counts[state] = total
    return counts


@bp.route("/outbox")
@staff_required()
def outbox():
    """List the latest messages, optionally of one state: all of them for leaders and admins, a point person's own otherwise."""
    state = request.args.get("state", "")
    if state and state not in MESSAGE_STATES:
        abort(404)
    messages = visible_messages().order_by(OutboxMessage.id.desc()).limit(PAGE_SIZE)
    if state:
        messages = messages.where(OutboxMessage.state == state)
    counts = state_counts()
    return render_template(
        "mail/outbox.html",
        messages=list(messages),
        state=state,
        state_totals=counts,
        total=sum(counts.values()),
        can_resend=current_user.role in RESEND_ROLES,
    )


@bp.route("/outbox/<int:message_id>/resend", methods=["POST"])
@staff_required(*RESEND_ROLES)
def resend_message(message_id):
    """Queue a failed message again, and return the updated message to htmx or redirect a form post to the outbox."""
    message = OutboxMessage.get_or_none(OutboxMessage.id == message_id)
    if message is None:
        abort(404)
    message = resend(message, current_user.get_id())
    flash(f"Message {message.id} to {message.recipient} is queued again and goes out with the next mail run.", "success")

    # The outbox filter the form was posted from, so the page comes back the same.
    state = request.form.get("state", "")
    if state not in MESSAGE_STATES:
        state = ""
    headers = {"Vary": "HX-Request"}
    if request.headers.get("HX-Request") == "true":
        html = render_template("mail/_message.html", message=message, state=state, can_resend=True)
        html += render_template("_flashes.html", oob=True)
        return html, 200, headers
    return redirect(url_for("mail.outbox", state=state or None), code=303), headers
