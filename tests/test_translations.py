"""The Spanish catalog: complete, compiled, in step with the source, and used by pages and email."""

import functools
import html
import io
import pathlib
import re

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

from portal.feedback.models import Thread
from portal.mail.models import OutboxMessage
from tests.conftest import Auth

ROOT = pathlib.Path(__file__).resolve().parent.parent
SPANISH_PO = ROOT / "portal" / "translations" / "es" / "LC_MESSAGES" / "messages.po"
SPANISH_MO = SPANISH_PO.with_suffix(".mo")

# The keywords scripts/update_translations.sh passes to `pybabel extract` besides the defaults.
EXTRA_KEYWORDS = {"_l": None, "lazy_gettext": None}

# A printf-style conversion such as %(name)s or %(count)d. "%%" is a literal percent sign.
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]")

STRATEGY = "novice-mentoring"
EMPTY_COMMENT = {"body": "  ", "language": "es", "benchmark": ""}
REPLY_LINE = "%(name)s (%(title)s) replied to your comment on the %(district)s equity plan:"


@functools.cache
def spanish_catalog():
    with SPANISH_PO.open("rb") as file:
        return read_po(file)


def catalog_messages(catalog):
    """Return the catalog's messages other than the header, as a list."""
    return [message for message in catalog if message.id]


def spanish(msgid):
    """Return the Spanish translation of an English msgid. Fail the test when it is missing or empty."""
    message = spanish_catalog().get(msgid)
    assert message is not None, f"{msgid!r} is not in {SPANISH_PO}"
    assert message.string, f"{msgid!r} has no Spanish translation"
    return message.string


def page_text(body):
    """Return an HTML body with character references decoded.

    Jinja inserts a template's translations unescaped but escapes those passed in from
    Python (form errors, labels), so tests compare decoded text with the msgstr.
    """
    return html.unescape(body)


def mo_messages(catalog):
    """Return {(context, msgid): msgstr} for a catalog read from a .mo file."""
    # read_mo returns a plural message's id and strings as lists; tuples make them comparable keys.
    def frozen(value):
        return tuple(value) if isinstance(value, list) else value

    return {(message.context, frozen(message.id)): frozen(message.string) for message in catalog if message.id}


def placeholders(text):
    return sorted(PLACEHOLDER.findall(text))


def as_text(message):
    """Return a msgid or msgstr as one string, with the forms of a plural entry joined."""
    return message if isinstance(message, str) else "\n".join(message)


@pytest.fixture
def spanish_client(client, auth, invite):
    """The test client signed in through a Spanish-speaking parent's invitation."""
    _invitation, token = invite(email="madre@mail.example.com", language="es", name="Marta Madre")
    auth.open_invitation(token)
    return client


# The catalog itself


def test_spanish_catalog_translated():
    catalog = spanish_catalog()
    empty = [message.id for message in catalog_messages(catalog) if not as_text(message.string).strip()]
    fuzzy = [message.id for message in catalog_messages(catalog) if message.fuzzy]

    assert empty == []
    assert fuzzy == []
    # pybabel compile skips a catalog whose header is marked fuzzy.
    assert not catalog.fuzzy


def test_spanish_placeholders_match():
    mismatched = [
        (message.id, message.string)
        for message in catalog_messages(spanish_catalog())
        if placeholders(as_text(message.id)) != placeholders(as_text(message.string))
    ]

    assert mismatched == []


def test_spanish_translations_format():
    """Each translation formats with its msgid's placeholders, so a stray % fails here.

    Jinja's newstyle gettext, which Flask-Babel installs, applies % to every
    translation, with or without arguments.
    """
    failures = []
    for message in catalog_messages(spanish_catalog()):
        values = {name: "x" for name in placeholders(as_text(message.id))}
        try:
            as_text(message.string) % values
        except (KeyError, ValueError, TypeError) as error:
            failures.append((message.id, message.string, repr(error)))

    assert failures == []


def test_spanish_mo_matches_po():
    """The committed .mo contains what `pybabel compile` makes of the .po, compared message by message.

    Comparing catalogs rather than bytes keeps the test independent of the Babel version
    that wrote the "Generated-By" header.
    """
    po = spanish_catalog()
    compiled_now = io.BytesIO()
    write_mo(compiled_now, po)
    compiled_now.seek(0)
    expected = read_mo(compiled_now)
    with SPANISH_MO.open("rb") as file:
        committed = read_mo(file)

    assert mo_messages(committed) == mo_messages(expected), "messages.mo is stale: run scripts/update_translations.sh"
    assert committed.plural_forms == po.plural_forms


def test_spanish_catalog_covers_source():
    """Every string wrapped in the source has an entry. Run scripts/update_translations.sh if not."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as file:
        method_map, options_map = parse_mapping_cfg(file, filename="babel.cfg")
    keywords = {**DEFAULT_KEYWORDS, **EXTRA_KEYWORDS}
    catalog = spanish_catalog()

    extracted = list(extract_from_dir(str(ROOT), method_map, options_map, keywords=keywords))
    missing = [
        f"{filename}:{lineno}: {as_text(message)!r}"
        for filename, lineno, message, _comments, context in extracted
        if catalog.get(message if isinstance(message, str) else message[0], context) is None
    ]

    assert extracted != [], "babel.cfg matched no source files"
    assert missing == []


# Pages


def test_overview_in_spanish(spanish_client, plan):
    body = spanish_client.get("/").get_data(as_text=True)
    text = page_text(body)

    assert '<html lang="es">' in body
    assert spanish("Strategies") in text
    assert spanish("Person responsible") in text


def test_strategy_page_in_spanish(spanish_client, plan):
    body = spanish_client.get(f"/strategies/{STRATEGY}").get_data(as_text=True)
    text = page_text(body)

    assert '<html lang="es">' in body
    assert spanish("Comment on this strategy") in text
    assert spanish("Send comment") in text
    # The sample plan's mentoring strategy has periods on and off track.
    assert spanish("On track") in text
    assert spanish("Off track") in text


def test_welcome_follows_accept_language(client, plan):
    response = client.get("/", headers={"Accept-Language": "es-MX,es;q=0.9"})
    body = response.get_data(as_text=True)

    assert response.status_code == 200
    assert '<html lang="es">' in body
    assert spanish("Were you invited to comment?") in page_text(body)


def test_language_choice_switches_to_english(spanish_client, plan):
    response = spanish_client.post("/language", data={"language": "en"})
    overview = spanish_client.get("/").get_data(as_text=True)
    strategy = spanish_client.get(f"/strategies/{STRATEGY}").get_data(as_text=True)

    assert response.status_code == 303
    assert '<html lang="en">' in overview
    assert "Strategies" in page_text(overview)
    assert spanish("Strategies") not in page_text(overview)
    assert '<html lang="en">' in strategy
    assert "Comment on this strategy" in page_text(strategy)


def test_language_choice_rejects_unknown(client):
    response = client.post("/language", data={"language": "xx"})

    assert response.status_code == 400


# Errors


def test_empty_comment_error_in_spanish(spanish_client, plan):
    response = spanish_client.post(f"/strategies/{STRATEGY}/comments", data=EMPTY_COMMENT)

    assert response.status_code == 422
    assert spanish("Write your comment before sending it.") in page_text(response.get_data(as_text=True))


def test_empty_comment_error_in_spanish_htmx(spanish_client, plan):
    response = spanish_client.post(
        f"/strategies/{STRATEGY}/comments", data=EMPTY_COMMENT, headers={"HX-Request": "true"}
    )

    assert response.status_code == 422
    assert spanish("Write your comment before sending it.") in page_text(response.get_data(as_text=True))


# Email


def test_reply_email_in_spanish(app, spanish_client, staff, plan):
    posted = spanish_client.post(
        f"/strategies/{STRATEGY}/comments", data={"body": "Mi hijo no tiene mentor.", "language": "es", "benchmark": ""}
    )
    assert posted.status_code == 303
    thread = Thread.get()

    point_person = staff["induction"]
    staff_client = app.test_client()
    Auth(staff_client).sign_in(point_person)
    replied = staff_client.post(f"/threads/{thread.id}/comments", data={"body": "Gracias"})
    assert replied.status_code == 303

    message = OutboxMessage.get(OutboxMessage.kind == "reply")
    reply_line = spanish(REPLY_LINE) % {
        "name": point_person.display_name,
        "title": spanish("district staff"),
        "district": plan.lea_name,
    }
    assert message.recipient == "madre@mail.example.com"
    assert message.subject == spanish("%(name)s replied to your comment on the equity plan") % {
        "name": point_person.display_name
    }
    assert spanish("Hello,") in message.body_text
    assert reply_line in message.body_text
    assert spanish("Read the conversation and answer back:") in message.body_text
    assert '<html lang="es">' in message.body_html
    assert reply_line in page_text(message.body_html)
    assert spanish("Read the conversation and answer back") in page_text(message.body_html)


def test_invitation_page_in_invitees_language(client, plan, invite):
    _invitation, token = invite(language="es")
    text = page_text(client.get(f"/invitation/{token}").get_data(as_text=True))
    assert spanish("Continue to the plan") in text
    assert spanish("This link is personal. Please do not forward it.") in text


def test_sign_out_keeps_language(spanish_client, plan):
    spanish_client.post("/sign-out")
    text = page_text(spanish_client.get("/").get_data(as_text=True))
    assert spanish("Staff sign-in") in text


def test_spanish_numbers_use_us_format(spanish_client, plan):
    text = spanish_client.get(f"/strategies/{STRATEGY}").get_data(as_text=True)
    assert "91.7" in text
    assert "91,7" not in text
