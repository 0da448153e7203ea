"""The whole feedback loop in Chromium: invitation, comment, reply, answer back, email."""

import re

import pytest

from portal.feedback.models import Comment, Theme, Thread
from portal.mail.models import OutboxMessage
from portal.mail.operations import deliver_due
from tests.browser import CHROMIUM, CHROMIUM_ARGS, PHONE, AxeChecker, LiveServer, require_chromium
from tests.conftest import PASSWORD


@pytest.fixture
def live(app):
    """The app served over HTTP with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def axe():
    checker = AxeChecker()
    yield checker
    assert checker.violations == [], "\n".join(checker.violations)


def sign_in(page, live, user):
    page.goto(f"{live.url}/sign-in")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_feedback_loop_with_htmx(live, browser, axe, plan, staff, invite, smtp_server):
    Theme.create(plan=plan, label="Mentor matching for late hires")
    _invitation, token = invite(email="rosa@mail.example.com", name="Rosa Alvarez")
    family = browser.new_context(viewport=PHONE)
    parent = family.new_page()

    parent.goto(f"{live.url}/invitation/{token}")
    axe.check(parent, "invitation")
    parent.get_by_role("button", name="Continue to the plan").click()
    parent.wait_for_url(f"{live.url}/")
    assert token not in parent.url
    axe.check(parent, "overview")

    parent.get_by_role("link", name=re.compile("Recruit and retain novice|mentor", re.I)).first.click()
    parent.wait_for_url(re.compile(r"/strategies/novice-mentoring$"))
    axe.check(parent, "strategy")
    parent.get_by_text("Comment on this benchmark: Three-month benchmark").first.click()
    parent.get_by_label("Your comment").first.fill("   ")
    parent.get_by_role("button", name="Send comment").first.click()
    form_error = parent.get_by_text("Write your comment before sending it.").first
    form_error.wait_for()
    axe.check(parent, "strategy with a form error")
    comment_box = parent.get_by_label("Your comment").first
    comment_box.fill("Two late hires at our school waited weeks for a mentor.")
    parent.get_by_role("button", name="Send comment").first.click()
    parent.get_by_text("Thank you. Your comment was sent").first.wait_for()
    axe.check(parent, "strategy after commenting")
    parent.get_by_role("link", name="See your comment and any reply").first.click()
    parent.get_by_text("Two late hires at our school").wait_for()
    thread_url = parent.url
    axe.check(parent, "thread as stakeholder")

    office = browser.new_context()
    staff_page = office.new_page()
    staff_page.goto(f"{live.url}/sign-in")
    axe.check(staff_page, "sign-in")
    sign_in(staff_page, live, staff["induction"])
    staff_page.wait_for_url(f"{live.url}/inbox")
    axe.check(staff_page, "inbox")
    staff_page.get_by_role("link", name=re.compile("Read and reply")).first.click()
    axe.check(staff_page, "thread as point person")
    staff_page.get_by_label("Your reply").fill("We now match late hires with a mentor within 10 school days.")
    staff_page.get_by_role("button", name="Send reply").click()
    staff_page.get_by_text("Reply sent.").wait_for()
    assert staff_page.get_by_text("within 10 school days").count() == 1
    staff_page.goto(f"{live.url}/outbox")
    staff_page.get_by_text("To rosa@mail.example.com").wait_for()
    axe.check(staff_page, "outbox")

    parent.goto(thread_url)
    parent.get_by_text("within 10 school days").wait_for()
    parent.get_by_label("Answer back").fill("Thank you. Will you report late hires separately?")
    parent.get_by_role("button", name="Send").click()
    parent.get_by_text("Your answer was sent.").wait_for()
    axe.check(parent, "thread after answering back")

    staff_page.goto(f"{live.url}/inbox")
    staff_page.get_by_role("link", name=re.compile("Read and reply")).first.click()
    staff_page.locator("label", has_text="Mentor matching for late hires").click()
    staff_page.get_by_role("button", name="Save themes").click()
    staff_page.get_by_text("Themes saved.").wait_for()
    staff_page.locator("label", has_text="Changed: something was done about it").click()
    staff_page.get_by_label("What was done, or why not").fill("Late hires now get a mentor within 10 school days.")
    staff_page.get_by_role("button", name="Close the thread").click()
    staff_page.get_by_text("Thread closed.").wait_for()
    axe.check(staff_page, "thread closed, as point person")

    parent.goto(f"{live.url}/strategies/novice-mentoring/you-said-we-did?period=3m")
    parent.get_by_text("Late hires now get a mentor within 10 school days.").wait_for()
    assert parent.get_by_role("cell", name="1").count() == 1
    axe.check(parent, "you said, we did")

    counts = deliver_due()
    thread = Thread.get()
    bodies = [c.body for c in Comment.select().where(Comment.thread == thread).order_by(Comment.id)]
    assert counts == {"sent": 2, "retrying": 0, "failed": 0}
    assert len(smtp_server.messages) == 2
    assert [message.rcpt_tos for message in smtp_server.messages] == [["rosa@mail.example.com"]] * 2
    assert b"within 10 school days" in smtp_server.messages[0].content
    assert len(bodies) == 3
    assert thread.state == "closed"
    assert axe.pages_checked >= 10


def test_feedback_loop_without_javascript(live, browser, plan, staff, invite):
    # axe needs JavaScript in the page, so the htmx test above checks these same pages.
    _invitation, token = invite(email="sam@mail.example.com", group="teacher")
    teacher = browser.new_context(java_script_enabled=False).new_page()

    teacher.goto(f"{live.url}/invitation/{token}")
    teacher.get_by_role("button", name="Continue to the plan").click()
    teacher.goto(f"{live.url}/strategies/novice-mentoring")
    strategy_form = teacher.locator("#comment-form-strategy")
    strategy_form.get_by_label("Your comment").fill("  ")
    strategy_form.get_by_role("button", name="Send comment").click()
    assert "Write your comment before sending it." in teacher.content()
    teacher.locator("#comment-form-strategy").get_by_label("Your comment").fill("Mentors need release time.")
    teacher.locator("#comment-form-strategy").get_by_role("button", name="Send comment").click()
    teacher.get_by_text("Thank you. Your comment was sent").wait_for()
    assert re.search(r"/threads/\d+$", teacher.url)
    thread_url = teacher.url

    office = browser.new_context(java_script_enabled=False).new_page()
    sign_in(office, live, staff["induction"])
    office.goto(thread_url)
    office.get_by_label("Your reply").fill("Release time is in next year's budget request.")
    office.get_by_role("button", name="Send reply").click()
    office.get_by_text("Reply sent.").wait_for()

    teacher.goto(thread_url)
    assert "Release time is in next year" in teacher.content()

    assert OutboxMessage.select().where(OutboxMessage.recipient == "sam@mail.example.com").count() == 1


def test_htmx_error_keeps_typed_text(live, browser, plan, invite):
    from portal.db import utcnow
    from portal.stakeholders.models import Invitation

    invitation, token = invite(email="lee@mail.example.com")
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(f"{live.url}/invitation/{token}")
    page.get_by_role("button", name="Continue to the plan").click()
    page.goto(f"{live.url}/strategies/novice-mentoring")
    box = page.locator("#comment-form-strategy").get_by_label("Your comment")
    box.fill("A long comment I do not want to lose.")
    Invitation.update(revoked_at=utcnow()).where(Invitation.id == invitation.id).execute()

    page.locator("#comment-form-strategy").get_by_role("button", name="Send comment").click()
    page.locator("#alerts").get_by_text("You do not have access to this page").wait_for()
    assert box.input_value() == "A long comment I do not want to lose."


def test_other_pages_pass_axe(live, browser, axe, plan, staff, invite):
    import datetime

    from portal.db import utcnow
    from portal.mail.notifications import notification_token
    from portal.stakeholders.models import Invitation

    visitor = browser.new_context(viewport=PHONE).new_page()
    visitor.goto(f"{live.url}/")
    axe.check(visitor, "welcome")
    visitor.goto(f"{live.url}/no-such-page")
    axe.check(visitor, "not found")
    visitor.goto(f"{live.url}/invitation/{'x' * 43}")
    axe.check(visitor, "unknown invitation")
    expired, expired_token = invite(email="late@mail.example.com")
    Invitation.update(expires_at=utcnow() - datetime.timedelta(days=1)).where(Invitation.id == expired.id).execute()
    visitor.goto(f"{live.url}/invitation/{expired_token}")
    axe.check(visitor, "expired invitation")
    visitor.get_by_role("link", name="Get a new invitation link").click()
    axe.check(visitor, "new link form")
    visitor.get_by_label("Your email address").fill("late@mail.example.com")
    visitor.get_by_role("button", name="Email me a new link").click()
    visitor.get_by_text("a new link is on its way").wait_for()
    axe.check(visitor, "new link requested")

    invitation, _token = invite(email="quiet@mail.example.com", language="es")
    visitor.goto(f"{live.url}/notifications/stop/{notification_token(invitation.stakeholder)}")
    axe.check(visitor, "stop notifications, Spanish")
    visitor.locator("main form button").first.click()
    visitor.wait_for_load_state()
    axe.check(visitor, "notifications stopped, Spanish")

    office = browser.new_context().new_page()
    sign_in(office, live, staff["leader"])
    office.goto(f"{live.url}/themes")
    office.get_by_label("New theme").fill("Mentor time")
    office.get_by_role("button", name="Add theme").click()
    office.get_by_text("Added the theme").wait_for()
    axe.check(office, "themes")
    office.goto(f"{live.url}/inbox?state=closed")
    axe.check(office, "inbox, closed filter")
    office.goto(f"{live.url}/inbox?state=nonsense")
    office.get_by_text("Some filters were not applied").wait_for()
    assert office.evaluate("document.activeElement.classList.contains('portal-error-summary')")
    axe.check(office, "inbox with a bad filter")
    office.goto(f"{live.url}/outbox?state=failed")
    axe.check(office, "outbox, failed filter")
