"""Domain errors and the pages that explain HTTP errors."""

import logging

from flask import render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

logger = logging.getLogger(__name__)


class DomainError(Exception):
    """A rule of the portal that a request broke; the message is shown to the user."""

    status = 400

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class Conflict(DomainError):
    status = 409


# Titles and explanations shown for each status, in the viewer's language.
EXPLANATIONS = {
    400: (_l("Something in the request was wrong"), _l("Go back, check what you entered, and try again.")),
    401: (
        _l("Please sign in or open your invitation"),
        _l(
            "District staff sign in with their email and password. If you were invited to "
            "comment, open the link in your invitation email again."
        ),
    ),
    403: (_l("You do not have access to this page"), _l("If you think you should, ask the district's contact for the plan.")),
    404: (_l("Page not found"), _l("The address may be mistyped, or the page may have been removed.")),
    405: (_l("That action is not available here"), _l("Go back and use the page's buttons.")),
    409: (_l("That change conflicts with what is already saved"), _l("Reload the page to see the latest version.")),
    429: (_l("Too many attempts"), _l("Wait a minute, then try again.")),
    500: (_l("Something went wrong on our side"), _l("Nothing you entered before this was lost. Try again in a few minutes.")),
}


def render_error(status, message=None, typed_text=None):
    """Render the error page (or, for htmx, the alert fragment) for a status."""
    title, explanation = EXPLANATIONS.get(status, EXPLANATIONS[400])
    template = "errors/_alert.html" if request.headers.get("HX-Request") == "true" else "errors/error.html"
    body = render_template(
        template,
        status=status,
        title=title,
        explanation=message or explanation,
        typed_text=typed_text,
    )
    return body, status


def init_app(app):
    @app.errorhandler(DomainError)
    def handle_domain_error(error):
        return render_error(error.status, error.message)

    @app.errorhandler(CSRFError)
    def handle_csrf_error(error):
        logger.info("Rejected a form without a valid CSRF token on %s", request.path)
        return render_error(
            400,
            _l(
                "This form had expired, so nothing was saved. Your text is below: copy it, "
                "reload the page and send it again."
            ),
            typed_text=request.form.get("body"),
        )

    @app.errorhandler(HTTPException)
    def handle_http_error(error):
        return render_error(error.code)

    @app.errorhandler(Exception)
    def handle_unexpected_error(error):
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        return render_error(500)
