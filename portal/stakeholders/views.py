"""Pages behind the link in reply email that turns a stakeholder's reply email off and on.

These pages need no session, because the signed token in the URL names the stakeholder and
only someone holding the email has it.
"""

import logging

from flask import Blueprint, abort, g, make_response, render_template, request

from portal.extensions import csrf
from portal.mail.notifications import set_notifications, stakeholder_for_token

logger = logging.getLogger(__name__)

bp = Blueprint("stakeholders", __name__)



def stakeholder_or_invalid_link(token):
    """Return the stakeholder the token names, or abort with a 404 page saying the link is not valid."""
    stakeholder = stakeholder_for_token(token)
    if stakeholder is None:
        logger.info("Invalid notification link presented from %s", request.remote_addr)
        abort(make_response(render_template("stakeholders/notifications_invalid.html"), 404))
    # The page opens from a link in an email, so it is shown in the email's language.
    g.page_language = stakeholder.language
    return stakeholder


def render_notifications(stakeholder, token, page):
    """Render the page: "ask" offers to stop reply email, "off" and "on" confirm the current setting."""
    return render_template("stakeholders/notifications.html", page=page, token=token, email=stakeholder.email)


@bp.route("/notifications/stop/<token>", methods=["GET"])
def ask_to_stop(token):
    """Show the offer to stop reply email. Opening the link changes nothing, because mail scanners prefetch links."""
    stakeholder = stakeholder_or_invalid_link(token)
    return render_notifications(stakeholder, token, "ask" if stakeholder.notifications_enabled else "off")


# Mail clients send the one-click POST of RFC 8058 from the List-Unsubscribe header with no
# session cookie and so no CSRF token. A forged cross-site request cannot do harm without the
# signed token, which only the email contains, so this view is exempt from CSRF protection.
@bp.route("/notifications/stop/<token>", methods=["POST"])
@csrf.exempt
def stop(token):
    """Turn reply email off and confirm, with a button to turn it back on.

    The response is 200, never a redirect, because RFC 8058 section 3.1 forbids redirecting a
    one-click POST.
    """
    stakeholder = stakeholder_or_invalid_link(token)
    # Mail clients post the form field List-Unsubscribe=One-Click (RFC 8058), but the page's button does not.
    one_click = request.form.get("List-Unsubscribe") == "One-Click"
    set_notifications(stakeholder, False, one_click=one_click)
    return render_notifications(stakeholder, token, "off")


@bp.route("/notifications/start/<token>", methods=["POST"])
def start(token):
    """Turn reply email back on and confirm, with a button to stop it again."""
    stakeholder = stakeholder_or_invalid_link(token)
    set_notifications(stakeholder, True)
    return render_notifications(stakeholder, token, "on")
