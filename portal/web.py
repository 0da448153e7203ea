"""Request plumbing shared by every area: security headers, htmx fragments, the viewer."""

import json

from flask import current_app, g, get_flashed_messages, render_template, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from portal.db import utcnow
from portal.feedback.forms import LANGUAGE_NAMES

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def load_stakeholder():
    """Set g.stakeholder and g.invitation from the session's invitation, if still valid.

    An expired or revoked invitation leaves g.stakeholder unset and records why in
    g.invitation_problem, so that pages can explain instead of showing a bare error.
    """
    from portal.stakeholders.models import Invitation, Stakeholder

    g.stakeholder = None
    g.invitation = None
    g.invitation_problem = None
    invitation_id = session.get("invitation_id")
    if invitation_id is None:
        return
    invitation = (
        Invitation.select(Invitation, Stakeholder)
        .join(Stakeholder)
        .where(Invitation.id == invitation_id)
        .first()
    )
    if invitation is None:
        session.pop("invitation_id", None)
        return
    state = invitation.state(utcnow())
    if state != "valid":
        g.invitation_problem = state
        return
    g.invitation = invitation
    g.stakeholder = invitation.stakeholder


def role_of_viewer():
    """Return "admin", "leader", "point-person", "stakeholder" or "anonymous"."""
    if current_user.is_authenticated:
        return current_user.role
    if g.get("stakeholder") is not None:
        return "stakeholder"
    return "anonymous"


def render_block(template_name, block_name, **context):
    """Render one block of a page template on its own, for an htmx swap."""
    current_app.update_template_context(context)
    template = current_app.jinja_env.get_template(template_name)
    block = template.blocks[block_name]
    return "".join(block(template.new_context(context)))


def render_page_or_block(template_name, block_name, status=200, **context):
    """Render the whole page, or only block_name (with flashes out of band) for htmx."""
    if request.headers.get("HX-Request") == "true":
        html = render_block(template_name, block_name, **context)
        html += render_template("_flashes.html", oob=True)
        return html, status, {"Vary": "HX-Request"}
    return render_template(template_name, **context), status, {"Vary": "HX-Request"}


def field_attributes(field, css_class, described_by=(), **extra):
    """Return the HTML attributes for a form field, marking it invalid when it has errors."""
    attributes = {"class_": css_class, **extra}
    ids = list(described_by)
    if field.errors:
        attributes["class_"] = f"{css_class} {css_class}--error"
        attributes["aria_invalid"] = "true"
        ids += [f"{field.id}-error-{number}" for number in range(1, len(field.errors) + 1)]
    if ids:
        attributes["aria_describedby"] = " ".join(ids)
    return attributes


def htmx_config():
    """Return the htmx settings for the page's meta tag."""
    return json.dumps(
        {
            "allowEval": False,
            "allowScriptTags": False,
            "selfRequestsOnly": True,
            "includeIndicatorStyles": False,
            "historyCacheSize": 0,
            "refreshOnHistoryMiss": True,
            "responseHandling": [
                {"code": "204", "swap": False},
                {"code": "[23]..", "swap": True},
                {"code": "422", "swap": True, "error": False},
                # Errors replace the alert area, so the form and what was typed stay on the page.
                {"code": "[45]..", "swap": True, "error": True, "target": "#alerts", "swapOverride": "innerHTML"},
            ],
        }
    )


def init_app(app):
    app.jinja_env.globals["field_attributes"] = field_attributes

    @app.before_request
    def identify_viewer():
        load_stakeholder()

    @app.after_request
    def set_security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        if request.endpoint and request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.context_processor
    def page_globals():
        return {
            "viewer_role": role_of_viewer(),
            "stakeholder": g.get("stakeholder"),
            "csrf_headers": json.dumps({"X-CSRFToken": generate_csrf()}),
            "htmx_config": htmx_config(),
            "current_language": get_locale().language,
            "language_names": LANGUAGE_NAMES,
            "languages": app.config["LANGUAGES"],
            "get_flashed_messages": get_flashed_messages,
        }
