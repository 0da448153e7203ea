"""Configuration: defaults here, then instance/config.py, then PORTAL_* variables."""

import os

# Environments in which the portal may run without a configured secret key.
RELAXED_ENVIRONMENTS = ("development", "testing")


class Defaults:
    """Settings for one district on the embedded SQLite database."""

    # "production", "development" or "testing". Production requires SECRET_KEY and
    # sends cookies only over HTTPS.
    ENVIRONMENT = "production"
    SECRET_KEY = None

    # Empty means an SQLite file in the instance folder; otherwise a playhouse.db_url
    # address such as postgresql://user@host:5432/name.
    DATABASE_URL = ""
    SQLITE_FILENAME = "portal.sqlite3"
    SQLITE_BUSY_TIMEOUT_MS = 5000

    # Invitation and mail links start with this address, never with the request's Host.
    BASE_URL = "http://127.0.0.1:5000"
    INVITATION_DAYS = 30
    # A campaign queues its invitations in batches of this many, each batch due this many
    # seconds after the one before, so a large roster does not reach the mail server at once.
    CAMPAIGN_BATCH_SIZE = 500
    CAMPAIGN_BATCH_SECONDS = 300
    # Which version of the plan pages each stakeholder group sees (see plan.views.audience_view);
    # a group not named here gets the plain-language "family" pages.
    AUDIENCE_VIEWS = {
        "teacher": "educator",
        "teacher-leader": "educator",
        "paraprofessional": "educator",
        "principal": "educator",
        "principal-supervisor": "educator",
        "board-member": "board",
    }
    # Minutes during which a stakeholder may edit or withdraw a comment they posted.
    COMMENT_EDIT_MINUTES = 15

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = 8 * 60 * 60  # seconds

    WTF_CSRF_TIME_LIMIT = 8 * 60 * 60  # seconds, as long as a session

    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"
    # Locales with a compiled catalog; the first is the fallback.
    LANGUAGES = ["en", "es"]
    # Locale used for each language's numbers and dates: US Spanish writes 91.7, not 91,7.
    REGIONAL_LOCALES = {"en": "en_US", "es": "es_US"}
    # Languages a comment may be written in, as ISO 639-1 codes.
    COMMENT_LANGUAGES = ["en", "es", "vi", "zh", "ar", "ht", "ko", "ru", "fr", "pt"]

    MAIL_SERVER = "localhost"
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USE_SSL = False
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    # Flask-Mail suppresses sending in testing mode by default. Tests send to a real SMTP
    # server on loopback, so delivery stays on.
    MAIL_SUPPRESS_SEND = False
    MAIL_DEFAULT_SENDER = "Equity Plan Portal <equity-plan@district.example.org>"
    MAIL_TIMEOUT = 30  # seconds per SMTP connection
    MAIL_BATCH_SIZE = 200  # messages per send-mail run

    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_SIGN_IN = "10 per minute;50 per hour"
    RATELIMIT_INVITATION = "20 per minute;200 per hour"
    RATELIMIT_NEW_LINK = "5 per hour"

    COMMENT_MAX_LENGTH = 5000  # characters

    # Point persons reply within this many school days (weekdays that are not holidays).
    RESPONSE_SCHOOL_DAYS = 5
    # District holidays as YYYY-MM-DD strings, skipped when counting school days.
    HOLIDAYS = []
    # Weekday (0 is Monday) on which district leaders get the weekly summary.
    WEEKLY_SUMMARY_WEEKDAY = 0

    # Evidence files uploaded with check-ins: at most this many bytes each, and this many
    # in one save. Empty EVIDENCE_FOLDER means the "evidence" folder in the instance folder.
    EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    EVIDENCE_FILES_PER_UPLOAD = 3
    EVIDENCE_FOLDER = ""
    # Flask rejects a larger request body with 413 before reading any form. The default leaves
    # room for the files above plus 1 MiB of text, so raise it along with them.
    MAX_CONTENT_LENGTH = EVIDENCE_FILES_PER_UPLOAD * EVIDENCE_MAX_BYTES + 1024 * 1024
    # Days after a period's window ends within which its check-in is due, and days after
    # a check-in that states adjustments are needed within which the reflection is due.
    CHECK_IN_DAYS = 14
    REFLECTION_DAYS = 30
    # Input summaries show a stakeholder group or school with fewer participants than this
    # as "fewer than N" and pool it with others (from 3 to 30).
    MIN_GROUP_SIZE = 5
    # A TrueType font for the board packet PDF, so that quotes in Vietnamese print. Empty
    # means the first of PDF_FONT_CANDIDATES that exists (Debian's fonts-dejavu-core), else
    # the built-in Helvetica, which draws Latin-1 text only.
    PDF_FONT = ""
    PDF_FONT_CANDIDATES = [
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSans.ttf",
    ]


def load(app, overrides=None):
    """Fill app.config from the defaults, the instance file, the environment and overrides."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("PORTAL")
    if overrides:
        app.config.update(overrides)

    environment = app.config["ENVIRONMENT"]
    if environment not in ("production", *RELAXED_ENVIRONMENTS):
        raise RuntimeError(
            f"PORTAL_ENVIRONMENT is {environment!r}; set it to production, development or testing."
        )
    if environment == "testing":
        app.config["TESTING"] = True
    if not app.config["SECRET_KEY"]:
        if environment not in RELAXED_ENVIRONMENTS:
            raise RuntimeError(
                "No secret key is configured. Set PORTAL_SECRET_KEY (for example to the output of "
                "`python -c 'import secrets; print(secrets.token_hex(32))'`) or, on a developer's "
                "machine only, PORTAL_ENVIRONMENT=development."
            )
        app.config["SECRET_KEY"] = "development-only-key-" + environment

    from portal.feedback.deadlines import parse_holidays

    parse_holidays(app.config["HOLIDAYS"])  # raises ValueError naming a bad date at start-up
    days = app.config["RESPONSE_SCHOOL_DAYS"]
    if not isinstance(days, int) or not 1 <= days <= 40:
        raise RuntimeError(f"RESPONSE_SCHOOL_DAYS is {days!r}; set a whole number of school days from 1 to 40.")

    group_size = app.config["MIN_GROUP_SIZE"]
    if isinstance(group_size, bool) or not isinstance(group_size, int) or not 3 <= group_size <= 30:
        raise RuntimeError(
            f"MIN_GROUP_SIZE is {group_size!r}; set a whole number of participants from 3 to 30 (5 is usual)."
        )

    font = app.config["PDF_FONT"]
    if font and not (os.path.isfile(font) and font.lower().endswith(".ttf")):
        raise RuntimeError(f"PDF_FONT is {font!r}, which is not a .ttf file; set the path of a TrueType font, or leave it empty.")

    secure = environment == "production"
    app.config["SESSION_COOKIE_SECURE"] = secure
    app.config["REMEMBER_COOKIE_SECURE"] = secure
    app.config["BASE_URL"] = app.config["BASE_URL"].rstrip("/")
    os.makedirs(app.instance_path, exist_ok=True)
