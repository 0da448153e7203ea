"""The dashboard, the board packet, its PDF and its exports."""

import csv
import html
import io
import re

import arabic_reshaper
import openpyxl
import pypdf
import pytest
from bidi import get_display
from reportlab.pdfbase import pdfmetrics

from portal.feedback.models import Comment
from portal.feedback.operations import start_thread
from portal.plan.models import MonitoringPeriod, Strategy
from portal.review import exports
from portal.review.exports import COMMENTS_LEFT_OUT, neutralise
from portal.review.packet import WITHHELD_NOTE
from portal.review.models import SummaryExcerpt
from portal.stakeholders.models import Stakeholder
from tests.test_review_summary import add_participants, sample_input  # noqa: F401  (a fixture)


def page_text(response):
    return html.unescape(response.get_data(as_text=True))


def test_dashboard_shows_charts_tables_and_input(app, client, auth, staff, sample_input):
    add_participants("residency-pipeline", "1y", "parent", 10)
    add_participants("residency-pipeline", "1y", "teacher", 5)
    auth.sign_in(staff["leader"])

    response = client.get("/dashboard?period=1y")

    assert response.status_code == 200
    text = page_text(response)
    assert text.count('role="img"') == 12
    assert '<title id="chart-' in text
    assert "Residents enrolled and placed in high-need schools: benchmark and actual by period" in text
    # The chart's description and the table carry the same numbers.
    assert "One-year benchmark: benchmark 30, actual 19;" in text
    assert '<td data-label="Benchmark">30</td>' in text
    assert '<td data-label="Actual">19</td>' in text
    # The residency's three sample threads and fifteen added; the other strategies have
    # too few people, so their open threads are withheld with their other counts.
    assert "Open threads in one-year benchmark: <strong>18</strong>" in text
    assert text.count("Open threads in one-year benchmark: <strong>not shown</strong>") == 4
    assert 'href="/strategies/residency-pipeline"' in text
    assert "Participants</dt><dd>not shown</dd>" in text
    assert "fewer than 5" in text


def test_dashboard_filters_by_school(app, client, auth, staff, sample_input):
    auth.sign_in(staff["admin"])

    response = client.get("/dashboard?period=1y&school=Eastport+Elementary")

    assert response.status_code == 200
    text = page_text(response)
    assert "Dashboard: One-year benchmark, Eastport Elementary" in text
    # Lucia and Alex are too few at Eastport for their two open threads to be shown.
    assert text.count("Open threads in one-year benchmark: <strong>not shown</strong>") == 5


@pytest.mark.parametrize(
    "query, message",
    [
        ("period=9y", "'9y' is not a monitoring period of the plan. Choose one of the periods in the list."),
        ("school=Nowhere+High", "'Nowhere High' is not a school on the roster. Choose a school from the list, or all schools."),
    ],
)
def test_dashboard_rejects_bad_filters(app, client, auth, staff, sample_input, query, message):
    auth.sign_in(staff["leader"])

    response = client.get(f"/dashboard?{query}")

    assert response.status_code == 422
    text = page_text(response)
    assert message in text
    assert 'aria-invalid="true"' in text
    assert "Some filters were not valid" in text


def test_dashboard_for_leaders_only(app, client, auth, staff, sample_input):
    auth.sign_in(staff["induction"])

    assert client.get("/dashboard").status_code == 403
    assert client.get("/board-packet/1y").status_code == 403
    assert client.get("/board-packet/1y/comments.csv").status_code == 403


def figures_of(page):
    """Return the headline figures of a page as (label, value) pairs."""
    return re.findall(r"<dt>([^<]+)</dt><dd>([^<]+)</dd>", page)


def test_board_packet_page_and_pdf_agree(app, client, auth, staff, sample_input):
    app.config["MIN_GROUP_SIZE"] = 3
    # Enough people on the residency for its figures to be shown; the other strategies
    # keep the sample's few people, so their figures are withheld.
    add_participants("residency-pipeline", "1y", "parent", 10)
    add_participants("residency-pipeline", "1y", "teacher", 5)
    auth.sign_in(staff["leader"])

    page = page_text(client.get("/board-packet/1y"))
    response = client.get("/board-packet/1y/packet.pdf")

    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    assert reader.metadata.title == "Board packet: One-year benchmark"
    pdf_text = "\n".join(page.extract_text() for page in reader.pages)
    for needle in (
        "Board packet: One-year benchmark",
        "Grow a teacher residency pipeline into our high-need schools",
        "Median time to first reply",
        "314.2 hours (13.1 days)",
        "401.5 hours (16.7 days)",
        "fewer than 3",
        "So few people took part that a total could point at someone.",
    ):
        assert needle in page, needle
        assert needle in pdf_text, needle
    page_figures = figures_of(page)
    # Seven figures for each of the five strategies.
    assert len(page_figures) == 35
    assert ("Threads", "18") in page_figures
    assert page_figures.count(("Threads", "not shown")) == 4
    flat_pdf = re.sub(r"\s+", " ", pdf_text)
    for label, value in page_figures:
        assert f"{label} {value}" in flat_pdf, (label, value)


def test_board_packet_unknown_period_not_found(app, client, auth, staff, sample_input):
    auth.sign_in(staff["leader"])

    assert client.get("/board-packet/9y").status_code == 404


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Plain text", "Plain text"),
        (-2, -2),
        (None, None),
    ],
)
def test_neutralise_formula_cells(value, expected):
    assert neutralise(value) == expected


@pytest.fixture
def formula_comment(sample_input):
    """A comment that a spreadsheet would run, on a strategy with enough input to export its comments."""
    add_participants("novice-mentoring", "2y", "parent", 10)
    add_participants("novice-mentoring", "2y", "teacher", 5)
    author = Stakeholder.get(Stakeholder.email == "pat.wright@harborcity.example.org")
    strategy = Strategy.get(Strategy.key == "novice-mentoring")
    return start_thread(author, strategy, None, "=HYPERLINK(\"http://attacker.example\",\"Click\")", "en")


def test_comments_csv_neutralised(app, client, auth, staff, formula_comment):
    auth.sign_in(staff["leader"])

    response = client.get("/board-packet/2y/comments.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert 'filename=comments-2y.csv' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["thread", "posted_on", "strategy"]
    bodies = [row[7] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://attacker.example\",\"Click\")" in bodies
    # The sample's one comment, fifteen added and the formula; the three other strategies
    # with two-year input have too few people, so one row each says their comments are left out.
    novice = [row for row in rows[1:] if row[2] == "novice-mentoring"]
    assert len(novice) == 17
    left_out = [row[2] for row in rows[1:] if row[7] == COMMENTS_LEFT_OUT]
    assert sorted(left_out) == ["leadership-conditions", "prep-partnerships", "residency-pipeline"]
    assert len(rows) == 1 + 17 + 3


def test_comments_xlsx_neutralised(app, client, auth, staff, formula_comment):
    auth.sign_in(staff["admin"])

    response = client.get("/board-packet/2y/comments.xlsx")

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    bodies = [row[7] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "'=HYPERLINK(\"http://attacker.example\",\"Click\")" in bodies
    assert all(not (isinstance(body, str) and body.startswith("=")) for body in bodies)


def test_summaries_and_check_ins_exports(app, client, auth, staff, sample_input):
    add_participants("residency-pipeline", "1y", "parent", 10)
    add_participants("residency-pipeline", "1y", "teacher", 5)
    auth.sign_in(staff["leader"])

    summaries = list(csv.reader(io.StringIO(client.get("/board-packet/1y/summaries.csv").data.decode("utf-8-sig"))))
    check_ins = list(csv.reader(io.StringIO(client.get("/board-packet/1y/check-ins.csv").data.decode("utf-8-sig"))))
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/board-packet/1y/check-ins.xlsx").data))

    assert ["residency-pipeline", "Median time to first reply", "314.2 hours (13.1 days)"] in summaries
    assert ["residency-pipeline", "Threads", "18"] in summaries
    assert ["early-hiring", "Threads", "not shown"] in summaries
    assert ["early-hiring", "Comments: Parent or guardian", "not shown"] in summaries
    assert ["early-hiring", "Why figures are not shown", WITHHELD_NOTE] in summaries
    assert not [row for row in summaries if row[0] == "residency-pipeline" and row[1] == "Why figures are not shown"]
    residents = next(row for row in check_ins if row[1] == "residents-enrolled")
    assert residents[2:5] == ["30.0", "19.0", "Off track"]
    assert len(check_ins) == 1 + 12
    assert workbook.active.max_row == 1 + 12


def test_hidden_comment_body_left_out_of_export(app, client, auth, staff, formula_comment):
    comment = Comment.get(Comment.thread == formula_comment)
    comment.hidden_at = comment.created_at
    comment.hidden_reason = "Spam link"
    comment.save()
    auth.sign_in(staff["leader"])

    text = client.get("/board-packet/2y/comments.csv").data.decode("utf-8-sig")

    assert "attacker.example" not in text
    assert "[hidden by the district: Spam link]" in text


def test_export_names_groups_from_ten(app, client, auth, staff, sample_input):
    add_participants("residency-pipeline", "1y", "parent", 10, school="Fells Middle")
    auth.sign_in(staff["leader"])

    rows = list(csv.DictReader(io.StringIO(client.get("/board-packet/1y/comments.csv").data.decode("utf-8-sig"))))

    residency = [row for row in rows if row["strategy"] == "residency-pipeline"]
    # Eleven parents (the sample's one and ten more), ten of them at Fells Middle.
    assert [row["group"] for row in residency].count("Parent or guardian") == 11
    assert [row["school"] for row in residency].count("Fells Middle") == 10
    assert {row["group"] for row in residency} == {"Parent or guardian", "not shown: fewer than 10 in the group"}
    assert "Eastport Elementary" not in {row["school"] for row in rows}
    assert {row["language"] for row in residency} == {"en", "not shown: fewer than 10 wrote in it"}
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", row["posted_on"]) for row in residency)
    # The other strategies' one-year input is too small to share at all.
    others = [row for row in rows if row["strategy"] != "residency-pipeline"]
    assert len(others) == 4
    assert {row["body"] for row in others} == {COMMENTS_LEFT_OUT}
    assert {row["thread"] for row in others} == {""}


def quoted_in_packet(client, auth, staff, language, period_key):
    """Choose the sample comment in the language as a quote for the period, and return the PDF's text."""
    period = MonitoringPeriod.get(MonitoringPeriod.key == period_key)
    comment = Comment.select().where(Comment.language == language).get()
    SummaryExcerpt.create(strategy=comment.thread.strategy, period=period, comment=comment, chosen_by=staff["leader"])
    auth.sign_in(staff["leader"])
    response = client.get(f"/board-packet/{period_key}/packet.pdf")
    reader = pypdf.PdfReader(io.BytesIO(response.data))
    return " ".join(page.extract_text() for page in reader.pages)


def test_pdf_prints_vietnamese_quote(app, client, auth, staff, sample_input):
    text = re.sub(r"\s+", " ", quoted_in_packet(client, auth, staff, "vi", "3m"))

    # Helvetica, the fallback, has no glyph for "ớ" or "ư"; the TrueType font has.
    assert "Lớp toán của con tôi" in text


def test_pdf_sets_arabic_quote_right_to_left(app, client, auth, staff, sample_input):
    text = quoted_in_packet(client, auth, staff, "ar", "6m")

    # The letters are drawn joined (as presentation forms). pypdf puts right-to-left
    # text back in reading order when it extracts it.
    assert arabic_reshaper.reshape("نرجو أن تكون استطلاعات") in text
    assert "نرجو" not in text


def test_arabic_lines_keep_reading_order(app):
    words = "واحد اثنان ثلاثة أربعة خمسة ستة سبعة ثمانية تسعة عشرة"
    with app.app_context():
        font = exports.pdf_font()

    lines = exports.visual_lines(words, font, 9, 80)

    assert len(lines) > 2
    assert get_display(arabic_reshaper.reshape("واحد"), base_dir="R") in lines[0]
    assert get_display(arabic_reshaper.reshape("عشرة"), base_dir="R") in lines[-1]
    assert all(pdfmetrics.stringWidth(line, font, 9) <= 80 for line in lines)
    assert exports.is_right_to_left(words)
    assert not exports.is_right_to_left("Lớp toán của con tôi")


@pytest.mark.parametrize("value", ["/nowhere/font.ttf", "README.md"])
def test_bad_pdf_font_rejected_at_startup(app_config, value):
    from portal import create_app

    with pytest.raises(RuntimeError) as error:
        create_app({**app_config, "PDF_FONT": value})

    assert f"PDF_FONT is {value!r}, which is not a .ttf file" in str(error.value)


def test_comments_to_quote_come_fifty_a_page(app, client, auth, staff, sample_input):
    threads = add_participants("novice-mentoring", "1y", "parent", 60)
    auth.sign_in(staff["admin"])
    url = "/review/strategies/novice-mentoring/periods/1y"

    first = page_text(client.get(url))
    second = page_text(client.get(f"{url}?page=2"))

    # The sample's two comments and sixty more: 50 on the first page, 12 on the second.
    assert "Page 1 of 2, oldest comments first." in first
    assert first.count("Quote in summary<span") == 50
    assert second.count("Quote in summary<span") == 12
    assert "comment 62</span>" in second
    assert page_text(client.get(f"{url}?page=9")).count("Quote in summary<span") == 12

    last = Comment.get(Comment.thread == threads[-1])
    response = client.post(f"/review/comments/{last.id}/excerpt", data={"action": "choose", "next": f"{url}?page=2"})
    assert response.headers["Location"] == f"{url}?page=2"


def test_exports_give_freeze_time_in_district_zone(app, client, auth, staff, sample_input):
    from portal.review.freezing import freeze_period

    freeze_period(MonitoringPeriod.get(MonitoringPeriod.key == "1y"), staff["leader"])
    auth.sign_in(staff["leader"])

    summaries = list(csv.reader(io.StringIO(client.get("/board-packet/1y/summaries.csv").data.decode("utf-8-sig"))))

    frozen = [row[2] for row in summaries if row[1] == "Frozen"]
    assert len(frozen) == 5
    assert all(re.search(r" E[SD]T by ", text) for text in frozen), frozen
    assert not any("UTC" in text for text in frozen)
