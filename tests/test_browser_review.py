"""The dashboard, the board packet and the input summary in Chromium, with axe on each page."""

import io
import re

import pypdf

from portal.feedback.models import Comment, Thread
from portal.plan.models import MonitoringPeriod, Strategy
from portal.review.models import InputSummary, SummaryExcerpt
from tests.test_browser import axe, browser, live, sign_in  # noqa: F401  (fixtures)
from tests.test_review_summary import add_participants, sample_input  # noqa: F401  (a fixture)


def first_comment(strategy_key, period_key):
    return (
        Comment.select()
        .join(Thread)
        .join(MonitoringPeriod)
        .switch(Thread)
        .join(Strategy)
        .where((Strategy.key == strategy_key) & (MonitoringPeriod.key == period_key) & Comment.stakeholder.is_null(False))
        .order_by(Comment.id)
        .first()
    )


def test_dashboard_packet_and_summary_pass_axe(live, browser, axe, staff, sample_input):
    # Enough people on the residency for its figures to be shown beside the withheld ones.
    add_participants("residency-pipeline", "1y", "parent", 10)
    add_participants("residency-pipeline", "1y", "teacher", 5)
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    sign_in(page, live, staff["leader"])
    page.wait_for_load_state()

    page.get_by_role("link", name="Dashboard").click()
    page.wait_for_url(re.compile(r"/dashboard$"))
    assert page.locator("svg[role=img]").count() == 12
    axe.check(page, "dashboard")

    page.get_by_label("Period", exact=True).select_option("1y")
    page.get_by_label("School", exact=True).select_option("Eastport Elementary")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"period=1y&school=Eastport"))
    assert page.get_by_role("heading", name="Dashboard: One-year benchmark, Eastport Elementary").is_visible()
    axe.check(page, "dashboard filtered")

    page.goto(f"{live.url}/dashboard?period=9y")
    assert page.get_by_text("'9y' is not a monitoring period of the plan.").first.is_visible()
    axe.check(page, "dashboard with a bad filter")

    page.goto(f"{live.url}/dashboard?period=1y")
    page.get_by_role("link", name="Full input summary for Grow a teacher residency pipeline into our high-need schools").click()
    page.wait_for_url(re.compile(r"/review/strategies/residency-pipeline/periods/1y$"))
    axe.check(page, "input summary")

    page.goto(f"{live.url}/dashboard?period=1y")
    page.get_by_role("link", name="Grow a teacher residency pipeline into our high-need schools", exact=True).click()
    page.wait_for_url(re.compile(r"/strategies/residency-pipeline$"))

    page.goto(f"{live.url}/board-packet/1y")
    axe.check(page, "board packet")
    page.emulate_media(media="print")
    assert page.locator(".portal-header").is_hidden()
    assert page.get_by_role("heading", name="Board packet: One-year benchmark").is_visible()
    page.emulate_media(media="screen")
    page_text = page.locator("main").inner_text()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Board packet (PDF)").click()
    reader = pypdf.PdfReader(io.BytesIO(open(download_info.value.path(), "rb").read()))
    pdf_text = re.sub(r"\s+", " ", " ".join(pdf_page.extract_text() for pdf_page in reader.pages))
    medians = re.findall(r"Median time to first reply\s+([^\n]+)", page_text)
    assert len(medians) == 5
    assert medians.count("not shown") == 4
    for median in medians:
        assert f"Median time to first reply {median.strip()}" in pdf_text

    page.goto(f"{live.url}/monitoring/calendar")
    page.get_by_role("button", name="Close One-year benchmark").click()
    page.get_by_role("heading", name="Close One-year benchmark?").wait_for()
    axe.check(page, "closing a period, asked to confirm")
    page.get_by_role("link", name="Go back without closing").click()
    page.wait_for_url(re.compile(r"/monitoring/calendar$"))
    assert InputSummary.select().count() == 0
    context.close()


def test_point_person_quotes_comment(live, browser, axe, staff, sample_input):
    comment = first_comment("novice-mentoring", "2y")
    page = browser.new_context().new_page()
    sign_in(page, live, staff["induction"])
    page.wait_for_load_state()

    page.goto(f"{live.url}/threads/{comment.thread_id}")
    page.get_by_role("button", name="Quote in input summary message 1").click()
    page.wait_for_url(re.compile(rf"/threads/{comment.thread_id}$"))
    assert page.get_by_text("Quoted in the input summary for two-year benchmark.").is_visible()
    axe.check(page, "thread with a quoted comment")

    page.goto(f"{live.url}/review/strategies/novice-mentoring/periods/2y")
    assert page.locator("blockquote").filter(has_text=comment.body).count() == 1
    axe.check(page, "input summary with a quote")
    page.get_by_role("button", name="Stop quoting comment 1").click()
    page.wait_for_url(re.compile(r"/review/strategies/novice-mentoring/periods/2y$"))
    assert SummaryExcerpt.select().count() == 0


def test_quote_and_close_without_javascript(live, browser, staff, sample_input):
    comment = first_comment("novice-mentoring", "2y")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live, staff["leader"])
    page.wait_for_load_state()

    page.goto(f"{live.url}/review/strategies/novice-mentoring/periods/2y")
    page.get_by_role("button", name="Quote in summary comment 1").click()
    page.wait_for_url(re.compile(r"/review/strategies/novice-mentoring/periods/2y$"))
    assert SummaryExcerpt.select().where(SummaryExcerpt.comment == comment.id).count() == 1

    page.goto(f"{live.url}/monitoring/calendar")
    period = MonitoringPeriod.get(MonitoringPeriod.key == "2y")
    page.get_by_role("button", name="Close Two-year benchmark").click()
    page.get_by_role("heading", name="Close Two-year benchmark?").wait_for()
    assert InputSummary.select().where(InputSummary.period == period).count() == 0
    page.get_by_role("button", name="Close Two-year benchmark").click()
    page.wait_for_url(re.compile(r"/monitoring/calendar$"))
    assert InputSummary.select().where(InputSummary.period == period).count() == 5

    page.goto(f"{live.url}/review/strategies/novice-mentoring/periods/2y")
    assert page.get_by_text("These figures no longer change.").is_visible()
    assert page.get_by_role("button", name="Quote in summary comment 1").count() == 0
    context.close()
