"""A campaign in Chromium: an administrator sends it, a Spanish-speaking parent answers on a phone."""

import datetime
import email
import email.policy
import re
import time

from portal.db import utcnow
from portal.feedback.models import Comment, PulseAnswer
from portal.mail.models import OutboxMessage
from portal.mail.operations import deliver_due
from portal.plan.models import LeadingIndicator, MonitoringPeriod, Strategy
from portal.plan.status import plan_today
from portal.stakeholders.models import Stakeholder
from tests.browser import PHONE
from tests.test_browser import axe, browser, live, sign_in  # noqa: F401  (fixtures)
from tests.test_campaigns import ROSTER

ROSA = "rosa.alvarez@mail.example.com"
STRATEGY_ES = "Colaborar con los programas de formación docente para ofrecer capacitación sobre nuestras escuelas"
INDICATOR_ES = "Maestros nuevos en las escuelas de mayor pobreza que dicen que se sintieron preparados"


def focus_becomes(page, attribute, value, seconds=5):
    """Return True once the focused element's attribute has the value, polling for a few seconds.

    The page's Content Security Policy forbids the eval that wait_for_function uses.
    """
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if page.evaluate(f"document.activeElement.getAttribute('{attribute}')") == value:
            return True
        page.wait_for_timeout(50)
    return False


def translate_first_strategy():
    """Give the first sample strategy, its first indicator and the two-year period Spanish text."""
    Strategy.update(translations='{"es": {"name": "%s"}}' % STRATEGY_ES).where(Strategy.key == "prep-partnerships").execute()
    indicator = LeadingIndicator.select().join(Strategy).where(Strategy.key == "prep-partnerships").order_by(LeadingIndicator.position).first()
    LeadingIndicator.update(translations='{"es": {"name": "%s"}}' % INDICATOR_ES).where(LeadingIndicator.id == indicator.id).execute()
    MonitoringPeriod.update(translations='{"es": {"label": "Meta de dos años"}}').where(MonitoringPeriod.key == "2y").execute()


def test_campaign_reaches_spanish_parent_on_phone(live, browser, axe, plan, staff, runner, smtp_server):  # noqa: F811
    assert runner.invoke(args=["portal", "import-roster", str(ROSTER)]).exit_code == 0
    translate_first_strategy()
    today = plan_today(plan)

    office = browser.new_context().new_page()
    sign_in(office, live, staff["admin"])
    office.goto(f"{live.url}/campaigns")
    axe.check(office, "campaigns, none yet")
    office.get_by_role("link", name="New campaign").click()
    axe.check(office, "new campaign")
    office.get_by_label("Name").fill("Winter check-in")
    period = office.get_by_label("Monitoring period it asks about")
    two_year = period.locator("option", has_text="Two-year benchmark").get_attribute("value")
    period.select_option(two_year)
    office.get_by_label("Comments open on").fill(today.isoformat())
    office.get_by_label("Comments close on").fill((today - datetime.timedelta(days=1)).isoformat())
    office.get_by_label("Links stop working after").fill((today + datetime.timedelta(days=30)).isoformat())
    office.get_by_role("button", name="Save campaign").click()
    office.get_by_text("Comments cannot close before they open.").wait_for()
    axe.check(office, "new campaign with an error")
    assert office.get_by_label("Name").input_value() == "Winter check-in"
    office.get_by_label("Comments close on").fill((today + datetime.timedelta(days=14)).isoformat())
    office.get_by_role("button", name="Save campaign").click()
    office.get_by_text("Campaign saved.").wait_for()
    office.get_by_role("button", name="Send 26 invitations").click()
    office.get_by_text("26 invitations queued in the outbox.").wait_for()
    axe.check(office, "campaign after sending")

    while OutboxMessage.select().where(OutboxMessage.state == "queued").exists():
        deliver_due(now=utcnow() + datetime.timedelta(days=1))
    assert len(smtp_server.messages) == 26
    envelope = next(message for message in smtp_server.messages if message.rcpt_tos == [ROSA])
    invitation_email = email.message_from_bytes(envelope.content, policy=email.policy.default)
    text = invitation_email.get_body(("plain",)).get_content()
    assert "¿está funcionando el plan en su escuela?" in text
    assert "Meta de dos años" in text
    # The email's link starts with the configured BASE_URL; the test server listens elsewhere.
    link = live.url + re.search(r"/invitation/[A-Za-z0-9_-]+", text).group(0)

    phone = browser.new_context(viewport=PHONE, locale="es-US").new_page()
    phone.goto(link)
    phone.get_by_role("heading", level=1).wait_for()
    assert phone.locator("html").get_attribute("lang") == "es"
    axe.check(phone, "invitation in Spanish")
    phone.get_by_role("button", name=re.compile("Continuar")).click()
    phone.wait_for_url(f"{live.url}/")
    axe.check(phone, "overview in Spanish")
    phone.get_by_role("link", name=STRATEGY_ES).click()
    phone.get_by_role("heading", name="En su escuela").wait_for()
    assert phone.get_by_role("heading", level=1).inner_text() == STRATEGY_ES
    assert phone.get_by_role("heading", name=INDICATOR_ES).count() == 1
    assert phone.get_by_text("Eastport Elementary").count() >= 1
    axe.check(phone, "family strategy page in Spanish")

    question = phone.locator(".portal-pulse").first
    question.get_by_role("button", name="En parte").click()
    question = phone.locator(".portal-pulse").first
    question.get_by_text("Su respuesta: En parte.").wait_for()
    # The swap keeps the keyboard focus on the answer just given.
    assert phone.evaluate("document.activeElement.getAttribute('aria-pressed')") == "true"
    axe.check(phone, "strategy after the pulse")

    phone.locator("details.portal-details summary").first.click()
    phone.get_by_label("Su comentario").first.fill("   ")
    phone.get_by_role("button", name="Enviar comentario").first.click()
    phone.get_by_text("Escriba su comentario antes de enviarlo.").first.wait_for()
    # The form is swapped whole; the focus goes to the field to fix, not to the page.
    assert focus_becomes(phone, "aria-invalid", "true")
    box = phone.get_by_label("Su comentario").first
    box.fill("En Eastport los maestros nuevos no tienen mentor hasta noviembre.")
    phone.get_by_role("button", name="Enviar comentario").first.click()
    phone.get_by_text("Gracias. Su comentario se envió").first.wait_for()
    assert focus_becomes(phone, "role", "status")
    # The new comment is listed under "Sus comentarios" without reloading the page.
    phone.locator("#strategy-threads").get_by_text("En Eastport los maestros nuevos").wait_for()
    axe.check(phone, "strategy after commenting, Spanish")

    phone.get_by_role("button", name="English").click()
    phone.get_by_role("heading", name="At your school").wait_for()
    assert phone.locator("html").get_attribute("lang") == "en"
    axe.check(phone, "family strategy page in English")

    rosa = Stakeholder.get(Stakeholder.email == ROSA)
    comment = Comment.get(Comment.stakeholder == rosa)
    assert comment.language == "es"
    assert PulseAnswer.get(PulseAnswer.stakeholder == rosa).answer == "somewhat"

    office.reload()
    office.get_by_role("link", name=re.compile("Commented: 1")).click()
    office.get_by_role("rowheader", name=ROSA).wait_for()
    axe.check(office, "campaign invitees who commented")
    assert axe.pages_checked >= 11


def test_pulse_and_edit_without_javascript(live, browser, plan, invite):  # noqa: F811
    _invitation, token = invite(email="ana@mail.example.com", language="es")
    page = browser.new_context(viewport=PHONE, java_script_enabled=False).new_page()
    page.goto(f"{live.url}/invitation/{token}")
    page.get_by_role("button", name=re.compile("Continuar")).click()
    page.goto(f"{live.url}/strategies/novice-mentoring")
    page.locator(".portal-pulse").first.get_by_role("button", name="No", exact=True).click()
    page.get_by_text("Gracias. Guardamos su respuesta").wait_for()
    assert page.locator(".portal-pulse").first.get_by_text("Su respuesta: No.").count() == 1

    page.locator("details.portal-details summary").first.click()
    page.get_by_label("Su comentario").first.fill("Falta un mentor.")
    page.get_by_role("button", name="Enviar comentario").first.click()
    page.get_by_text("Gracias. Su comentario se envió").first.wait_for()
    page.get_by_role("link", name=re.compile("^Editar")).click()
    page.get_by_label("Su comentario").fill("   ")
    page.get_by_role("button", name="Guardar cambios").click()
    page.get_by_text("Escriba su comentario antes de guardarlo.").wait_for()
    page.get_by_label("Su comentario").fill("Falta un mentor en Eastport.")
    page.get_by_role("button", name="Guardar cambios").click()
    page.get_by_text("Su comentario fue actualizado.").wait_for()
    page.get_by_text("Falta un mentor en Eastport.").wait_for()
    page.get_by_role("link", name=re.compile("^Retirar")).click()
    page.get_by_role("heading", name="¿Retirar su comentario?").wait_for()
    page.get_by_role("button", name="Retirar el comentario").click()
    page.get_by_text("Su comentario fue retirado.").wait_for()
    assert Comment.get().withdrawn_at is not None


def test_edit_pages_pass_axe(live, browser, axe, plan, invite):  # noqa: F811
    _invitation, token = invite(email="ana@mail.example.com")
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(f"{live.url}/invitation/{token}")
    page.get_by_role("button", name="Continue to the plan").click()
    page.goto(f"{live.url}/strategies/novice-mentoring")
    page.locator("#comment-form-strategy").get_by_label("Your comment").fill("Our mentor left.")
    page.locator("#comment-form-strategy").get_by_role("button", name="Send comment").click()
    page.get_by_role("link", name="See your comment and any reply").click()
    page.get_by_text("You can change or withdraw this until").wait_for()
    axe.check(page, "thread with edit controls")
    page.get_by_role("link", name=re.compile("^Edit")).click()
    axe.check(page, "edit comment")
    page.get_by_label("Your comment").fill(" ")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_text("Write your comment before saving it.").wait_for()
    axe.check(page, "edit comment with an error")
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name=re.compile("^Withdraw")).click()
    page.get_by_role("heading", name="Withdraw your comment?").wait_for()
    axe.check(page, "withdraw a comment")
    page.get_by_role("link", name="Keep it").click()
    page.wait_for_url(re.compile(r"/threads/\d+$"))
    assert Comment.get().withdrawn_at is None
    page.get_by_role("link", name=re.compile("^Withdraw")).click()
    page.get_by_role("button", name="Withdraw the comment").click()
    page.get_by_text("The author withdrew this comment.").wait_for()
    axe.check(page, "thread after withdrawing")
