"""Staff sign-in and sign-out, and invitation links for stakeholders."""

import logging
import re
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from portal.audit.models import AuditEvent
from portal.auth.forms import NewLinkForm, SignInForm
from portal.auth.models import StaffUser
from portal.db import transaction, utcnow
from portal.extensions import limiter, login_manager
from portal.stakeholders.models import Invitation
from portal.stakeholders.operations import accept_invitation, normalize_email, send_new_link

logger = logging.getLogger(__name__)

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_staff_user(user_id):
    kind, _sep, number = user_id.partition(":")
    if kind != "staff" or not number.isdigit():
        return None
    return StaffUser.get_or_none((StaffUser.id == int(number)) & (StaffUser.active == True))  # noqa: E712


@login_manager.unauthorized_handler
def ask_staff_to_sign_in():
    """Send to sign-in; an htmx request gets HX-Redirect so no fragment shows the form."""
    next_url = request.full_path.rstrip("?") if request.method == "GET" else None
    target = url_for("auth.sign_in", next=next_url)
    if request.headers.get("HX-Request") == "true":
        return "", 200, {"HX-Redirect": target}
    return redirect(target)


def safe_next_url(value):
    """Return value if it is a path on this site, else None."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return None
    return value


def home_for(user):
    if user.role == "point-person":
        return url_for("feedback.inbox")
    return url_for("plan.overview")


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_SIGN_IN"], methods=["POST"])
def sign_in():
    """Show the staff sign-in form and sign in on a correct email and password."""
    form = SignInForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("auth/sign_in.html", form=form), status

    user = StaffUser.get_or_none(StaffUser.email == normalize_email(form.email.data))
    if user is None or not user.active or not user.check_password(form.password.data):
        logger.info("Failed staff sign-in from %s", request.remote_addr)
        form.password.errors.append("The email or password is not correct. Check both and try again.")
        return render_template("auth/sign_in.html", form=form), 422

    session.clear()
    login_user(user)
    with transaction():
        StaffUser.update(last_sign_in_at=utcnow()).where(StaffUser.id == user.id).execute()
        AuditEvent.record(user.get_id(), "staff.signed_in", user)
    logger.info("Staff user %s signed in", user.id)
    return redirect(safe_next_url(request.args.get("next")) or home_for(user))


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    """End the staff or stakeholder session."""
    if current_user.is_authenticated:
        logger.info("Staff user %s signed out", current_user.id)
    language = session.get("language")
    logout_user()
    session.clear()
    if language:
        session["language"] = language
    flash(_("You have signed out."), "info")
    return redirect(url_for("plan.overview"))


def invitation_or_explanation(token):
    """Return a valid invitation for the token, or abort with a page saying why not."""
    invitation = Invitation.by_token(token)
    if invitation is None:
        logger.info("Unknown invitation token presented from %s", request.remote_addr)
        abort(make_response(render_template("auth/invitation_unusable.html", state="unknown"), 404))
    # The invitation page is a stakeholder's first page, so it is shown in their language.
    g.page_language = invitation.stakeholder.language
    state = invitation.state(utcnow())
    if state != "valid":
        logger.info("Invitation %s presented while %s", invitation.id, state)
        abort(make_response(render_template("auth/invitation_unusable.html", state=state), 410))
    return invitation


@bp.route("/invitation/<token>", methods=["GET"])
@limiter.limit(lambda: current_app.config["RATELIMIT_INVITATION"])
def invitation(token):
    """Show the invitation; opening it changes nothing, because mail scanners prefetch links."""
    invitation = invitation_or_explanation(token)
    return render_template("auth/invitation.html", invitation=invitation, token=token)


@bp.route("/invitation/<token>", methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_INVITATION"])
def continue_invitation(token):
    """Swap the token for a session and leave the token's URL."""
    invitation = invitation_or_explanation(token)

    # A conversation this browser asked for before it had a session is opened next.
    remembered_thread = session.get("after_invitation", "")
    logout_user()
    session.clear()
    session["invitation_id"] = invitation.id
    session["language"] = invitation.stakeholder.language
    session.permanent = True
    accept_invitation(invitation)
    if re.fullmatch(r"/threads/\d+", remembered_thread):
        return redirect(remembered_thread, code=303)
    return redirect(url_for("plan.overview"), code=303)


@bp.route("/new-link", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_NEW_LINK"], methods=["POST"])
def new_link():
    """Email a new invitation link, showing the same page whether or not the address is known."""
    form = NewLinkForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("auth/new_link.html", form=form, sent=False), status

    send_new_link(form.email.data)
    return render_template("auth/new_link.html", form=NewLinkForm(formdata=None), sent=True)


@bp.route("/language", methods=["POST"])
def choose_language():
    """Remember the page language the viewer picked."""
    language = request.form.get("language", "")
    if language not in current_app.config["LANGUAGES"]:
        abort(400)
    session["language"] = language
    return redirect(safe_next_url(request.form.get("next")) or url_for("plan.overview"), code=303)
