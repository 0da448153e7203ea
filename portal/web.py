"""Request plumbing shared by every area: security headers, htmx fragments, the viewer."""

import datetime
import json

import babel.dates
from flask import current_app, g, get_flashed_messages, has_request_context, render_template, request, session
from flask_babel import get_locale, to_user_timezone
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from portal.db import utcnow
from portal.feedback.forms import LANGUAGE_NAMES, OUTCOME_LABELS

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
        if current_user.is_authenticated:
            # A reply changes what waits, so the navigation's counts are refreshed too.
            html += render_template("_nav_inbox.html", oob=True)
        return html, status, {"Vary": "HX-Request"}
    return render_template(template_name, **context), status, {"Vary": "HX-Request"}


def format_moment(value):
    """Format a stored UTC time in the district's time zone, to the minute, with the zone's name."""
    local = to_user_timezone(value)
    locale = get_locale()
    date = babel.dates.format_date(local, "medium", locale=locale)
    time = babel.dates.format_time(local, "short", locale=locale)
    zone = babel.dates.format_datetime(local, "z", locale=locale)
    return locale.datetime_formats["medium"].format(time, date) + " " + zone


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


def inbox_counts_for_staff():
    """Return (waiting, overdue) for signed-in staff, for the navigation; None for others."""
    if not current_user.is_authenticated or request.endpoint == "static":
        return None
    from portal.feedback.views import inbox_counts

    return inbox_counts()


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
            # htmx wires up new content's controls when it settles, 20 ms after the
            # swap by default. The portal has no settle transitions, so settling at
            # once keeps a quick change to a form just swapped in from being lost.
            "defaultSettleDelay": 0,
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
    app.jinja_env.filters["moment"] = format_moment
    # A stored ISO 8601 UTC time, such as a frozen summary's, shown like every other time.
    app.jinja_env.filters["iso_moment"] = lambda text: format_moment(datetime.datetime.fromisoformat(text))
    app.jinja_env.filters["reject_page"] = lambda args: {k: v for k, v in args.items() if k != "page"}

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
    def language_globals():
        language = get_locale().language

        def in_language(item, field):
            """Return the item's field in the page's language; English text falling back is marked lang="en"."""
            text = item.text_in(field, language)
            shown_language = item.language_of(field, language)
            if shown_language == language:
                return text
            return Markup('<span lang="{}">{}</span>').format(shown_language, text)

        return {
            "current_language": language,
            "in_language": in_language,
            "language_names": LANGUAGE_NAMES,
            "languages": app.config["LANGUAGES"],
            "outcome_labels": OUTCOME_LABELS,
        }

    @app.context_processor
    def page_globals():
        # Emails are also rendered by commands, outside any request.
        if not has_request_context():
            return {}
        return {
            # Called by the navigation only, so emails rendered in a request cost no query.
            "inbox_counts": inbox_counts_for_staff,
            "viewer_role": role_of_viewer(),
            "stakeholder": g.get("stakeholder"),
            "csrf_headers": json.dumps({"X-CSRFToken": generate_csrf()}),
            "htmx_config": htmx_config(),
            "get_flashed_messages": get_flashed_messages,
        }
