"""The Progress Monitoring Planning Table: the printable page, the Word file and the CLI export."""

import io

import pytest
from docx import Document

from portal.db import database, utcnow
from portal.monitoring.worksheet import build_worksheet, format_date, format_measure, local_date, worksheet_docx
from portal.plan.models import LeadingIndicator, MonitoringPeriod, Strategy
from tests.conftest import ROOT, count_queries

MODULES = "prep-module-attendance"
PDF_BYTES = b"%PDF-1.4\n%%EOF\n"

CHECK_IN = {
    "period": "2y",
    "implemented": "no",
    "evidence": "Fall calendar drafts; the partner contract is still unsigned.",
    "actual": "37.5",
    "progress_notes": "Modules for the second cohort have not started.",
    "adjustments_needed": "yes",
}
REFLECTION = {
    "period": "1y",
    "what_went_wrong": "Testing season took the April module dates.",
    "implemented": "partially",
    "evidence_of_implementation": "Attendance sheets and partner emails about cancelled dates.",
    "factors": "One partner lost its faculty lead in March.",
    "resources_sufficient": "no",
    "realistic_to_measure": "yes",
    "revisit_course_corrections": "Paid after-school time fixes the calendar clash.",
    "course_correction": "Hold all six modules before March 15 with a stipend.",
}
NEW_TARGET, NEW_DESCRIPTION = "78.5", "Second cohort after the calendar change"


@pytest.fixture(autouse=True)
def evidence_folder(app, tmp_path):
    app.config["EVIDENCE_FOLDER"] = str(tmp_path / "evidence")


@pytest.fixture
def entered(client, auth, staff, plan):
    """Record a check-in with a file and a reflection with a new benchmark, as the point person."""
    indicator = LeadingIndicator.get(LeadingIndicator.key == MODULES)
    two_years = MonitoringPeriod.get(MonitoringPeriod.key == "2y")
    auth.sign_in(staff["talent"])
    files = {"files": [(io.BytesIO(PDF_BYTES), "fall-calendar.pdf")]}
    checked_in = client.post(
        f"/monitoring/indicators/{indicator.id}/check-in", data={**CHECK_IN, **files}, content_type="multipart/form-data"
    )
    benchmark = {f"benchmark_{two_years.id}-target": NEW_TARGET, f"benchmark_{two_years.id}-description": NEW_DESCRIPTION}
    reflected = client.post(f"/monitoring/indicators/{indicator.id}/reflection", data={**REFLECTION, **benchmark})
    assert checked_in.status_code == 303
    assert reflected.status_code == 303
    return indicator


def docx_tables(content):
    document = Document(io.BytesIO(content))
    return document, document.tables


def cell_texts(table):
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_docx_contains_every_value_entered(client, entered):
    response = client.get("/monitoring/strategies/prep-partnerships/worksheet.docx")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert response.headers["Content-Disposition"] == "attachment; filename=worksheet-prep-partnerships.docx"
    _document, [table] = docx_tables(response.data)
    text = "\n".join(cell for row in cell_texts(table) for cell in row)
    entered_values = [
        "Actual: 37.5% against a benchmark of 78.5%",
        CHECK_IN["evidence"],
        CHECK_IN["progress_notes"],
        "Files: fall-calendar.pdf",
        "No",  # implemented
        REFLECTION["what_went_wrong"],
        "Implemented: Partially",
        f"Evidence of implementation: {REFLECTION['evidence_of_implementation']}",
        f"Factors: {REFLECTION['factors']}",
        "Resources sufficient: No",
        "Realistic to measure in the interval: Yes",
        REFLECTION["revisit_course_corrections"],
        REFLECTION["course_correction"],
        f"78.5%: {NEW_DESCRIPTION}",
    ]
    for value in entered_values:
        assert value in text, value


def test_docx_follows_the_template(client, entered):
    response = client.get("/monitoring/strategies/prep-partnerships/worksheet.docx")

    document, [table] = docx_tables(response.data)
    rows = cell_texts(table)
    strategy = Strategy.get(Strategy.key == "prep-partnerships")
    assert len(table.columns) == 4  # step, question, and the strategy's two indicators
    assert rows[0][:3] == ["Strategy, Goal, and Leading Indicator(s)", "Name of Strategy", strategy.name]
    assert rows[0][3] == strategy.name  # merged across the indicator columns
    assert rows[2][1] == "Leading Indicator(s)"
    assert rows[2][2].startswith("Novices in top-quartile-poverty schools who agree they felt prepared")
    assert rows[2][3].startswith("Novices completing at least 4 of 6 setting modules")
    questions = [row[1] for row in rows]
    for question in (
        "How often will our team monitor progress toward each leading indicator?",
        "What evidence will we collect of progress toward each leading indicator?",
        "How will we know we are on track toward meeting our long-term goal?",
        "What are our interim benchmarks?",
        "Three-month benchmark",
        "Who will be responsible for monitoring progress for this indicator?",
        "What is the monitoring interval?",
        "Did your team do what was planned in your strategy?",
        "How much progress have you made toward your goal?",
        "Do you need to make any adjustments at this time?",
        "What will you do to course-correct?",
        "Establish new benchmarks for monitoring progress as needed.",
    ):
        assert question in questions, question
    steps = {row[0] for row in rows}
    assert "Step 2. Establish a Monitoring Plan" in steps
    assert "Step 3. Monitor Progress and Identify Evidence (Two-year benchmark)" in steps
    assert "Step 4. Self-Correct and Course-Correct as Needed (One-year benchmark)" in steps
    assert "Strategy: " + strategy.name in "\n".join(p.text for p in document.paragraphs)


def test_docx_strikes_replaced_benchmark(client, entered):
    response = client.get("/monitoring/strategies/prep-partnerships/worksheet.docx")

    _document, [table] = docx_tables(response.data)
    struck = [
        run.text
        for row in table.rows
        for cell in row.cells
        for paragraph in cell.paragraphs
        for run in paragraph.runs
        if run.font.strike
    ]
    assert "85%: Second cohort" in struck  # replaced by the reflection
    assert "91.6%: Spring survey meets the long-term goal" in struck  # replaced on import
    assert f"78.5%: {NEW_DESCRIPTION}" not in struck
    today = format_date(local_date(utcnow(), "America/New_York"))
    text = "\n".join(cell.text for row in table.rows for cell in row.cells)
    assert f"Replaced on {today}: {REFLECTION['course_correction']}" in text


def test_worksheet_page_is_printable(client, entered):
    response = client.get("/monitoring/strategies/prep-partnerships/worksheet")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<th scope="rowgroup" rowspan="' in page
    assert "Step 2. Establish a Monitoring Plan" in page
    assert '<del class="portal-replaced">85%: Second cohort</del>' in page
    assert f"78.5%: {NEW_DESCRIPTION}" in page
    assert 'href="/monitoring/static/monitoring.css"' in page
    assert 'href="/monitoring/strategies/prep-partnerships/worksheet.docx"' in page
    stylesheet = client.get("/monitoring/static/monitoring.css")
    assert stylesheet.status_code == 200
    assert b"@media print" in stylesheet.data
    assert b".portal-header" in stylesheet.data


def test_worksheet_for_unknown_strategy(client, auth, staff):
    auth.sign_in(staff["leader"])

    assert client.get("/monitoring/strategies/no-such-strategy/worksheet").status_code == 404
    assert client.get("/monitoring/strategies/no-such-strategy/worksheet.docx").status_code == 404


def test_worksheet_query_count_is_fixed(plan):
    small = Strategy.get(Strategy.key == "prep-partnerships")
    large = Strategy.get(Strategy.key == "novice-mentoring")  # three indicators

    with count_queries() as two_indicators:
        build_worksheet(small)
    with count_queries() as three_indicators:
        build_worksheet(large)
    assert two_indicators.count == three_indicators.count


@pytest.mark.parametrize(
    "value, unit, text",
    [(82.1, "percent", "82.1%"), (90.0, "percent", "90%"), (1214.0, "count", "1,214"), (12.5, "hours", "12.5 hours"), (None, "count", "")],
)
def test_format_measure(value, unit, text):
    assert format_measure(value, unit) == text


def invoke(runner, *args):
    result = runner.invoke(args=["portal", *args])
    database.connect(reuse_if_open=True)
    return result


def test_cli_export_worksheet(runner, plan, tmp_path):
    output = tmp_path / "prep.docx"

    result = invoke(runner, "export-worksheet", "--strategy", "prep-partnerships", "--output", str(output))

    assert result.exit_code == 0, result.output
    assert f"Wrote the worksheet of 'prep-partnerships' to {output}." in result.output
    _document, [table] = docx_tables(output.read_bytes())
    assert "Partner with educator preparation programs" in table.cell(0, 2).text


def test_cli_export_worksheet_unknown_key(runner, plan, tmp_path):
    output = tmp_path / "nothing.docx"

    result = invoke(runner, "export-worksheet", "--strategy", "prep-partnership", "--output", str(output))

    assert result.exit_code == 2
    assert "'prep-partnership' is not a strategy of the plan." in result.output
    assert "prep-partnerships, novice-mentoring, residency-pipeline" in result.output
    assert not output.exists()


@pytest.mark.parametrize(
    "name, message",
    [("no-such-folder/prep.docx", "does not exist; create it or choose another path"), ("prep.txt", "does not end in .docx")],
)
def test_cli_export_worksheet_bad_output(runner, plan, tmp_path, name, message):
    output = tmp_path / name

    result = invoke(runner, "export-worksheet", "--strategy", "prep-partnerships", "--output", str(output))

    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not output.exists()


def test_cli_export_worksheet_help(runner):
    result = invoke(runner, "export-worksheet", "--help")

    assert result.exit_code == 0
    assert "--strategy" in result.output
    assert "Word (.docx) file to write" in result.output


def test_cli_export_worksheet_without_plan(runner, tmp_path):
    result = invoke(runner, "export-worksheet", "--strategy", "prep-partnerships", "--output", str(tmp_path / "x.docx"))

    assert result.exit_code == 1
    assert "No plan is in the database yet." in result.output


def test_readme_lists_the_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    assert "| `export-worksheet --strategy KEY --output FILE.docx` |" in readme


def test_worksheet_without_indicators(plan):
    strategy = Strategy.create(plan=plan, key="new-strategy", name="A strategy still being planned", position=9)

    sheet = build_worksheet(strategy)
    _document, [table] = docx_tables(worksheet_docx(sheet))

    assert sheet.indicators == []
    assert len(table.columns) == 3
    assert table.cell(0, 2).text == "A strategy still being planned"
