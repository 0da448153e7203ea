"""Flask extensions shared by every area, created unbound and bound in create_app."""

from flask import current_app, g, request, session
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx

babel = Babel()
csrf = CSRFProtect()
htmx = Htmx()
login_manager = LoginManager()
mail = Mail()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def select_language():
    """Pick the page language: an explicit choice, the stakeholder's, a link's ?lang=, then the browser's."""
    languages = current_app.config["LANGUAGES"]
    candidates = [session.get("language"), g.get("page_language")]
    stakeholder = g.get("stakeholder")
    if stakeholder is not None:
        candidates.append(stakeholder.language)
    candidates.append(request.args.get("lang"))
    for language in candidates:
        if language in languages:
            return language
    return request.accept_languages.best_match(languages) or languages[0]


def select_locale():
    """Return the locale for the page language, with the US region for numbers and dates."""
    language = select_language()
    return current_app.config["REGIONAL_LOCALES"].get(language, language)


def select_timezone():
    """Return the district's time zone, in which every date and time is shown."""
    if "time_zone" not in g:
        from portal.plan.models import Plan

        plan = Plan.current()
        g.time_zone = plan.time_zone if plan else current_app.config["BABEL_DEFAULT_TIMEZONE"]
    return g.time_zone


def init_app(app):
    babel.init_app(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(app.root_path + "/translations"),
    )
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    mail.init_app(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    limiter.init_app(app)
