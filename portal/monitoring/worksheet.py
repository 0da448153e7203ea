"""The Progress Monitoring Planning Table (Steps 2 to 4) of one strategy, for print and for Word.

The table follows the worksheet of Section 4 of the LEA Equity Plan: the step in the first
column, the worksheet's question in the second, and one column per leading indicator. Rows
that apply to the whole strategy span the indicator columns. Step 3 is repeated for each
monitoring period that has check-ins or calls for them, and Step 4 for each period that has
reflections. A benchmark that a reflection replaced stays in the table, struck through.
"""

import dataclasses
import datetime
import io
import zoneinfo

from portal.monitoring.calendar import calls_for_check_ins
from portal.monitoring.forms import CHECK_IN_QUESTIONS, IMPLEMENTED_CHOICES, REFLECTION_QUESTIONS
from portal.plan.models import Benchmark, EvidenceFile, Person, Reflection
from portal.plan.status import plan_today, progress_for

TITLE = "Progress Monitoring Planning Table, Steps 2-4"
STATUS_LABELS = {"on_track": "on track", "off_track": "off track", "no_data": "no data yet", "not_due": "not due yet"}
IMPLEMENTED_LABELS = dict(IMPLEMENTED_CHOICES)
NOT_RECORDED = "Not recorded yet"


@dataclasses.dataclass
class Line:
    """One paragraph of a cell; struck for a benchmark that was replaced."""

    text: str
    struck: bool = False


@dataclasses.dataclass
class Row:
    question: str
    cells: list | None = None  # one list of Lines per indicator
    spanning: list | None = None  # Lines for a row that spans every indicator column
    emphasis: bool = False  # a question that introduces the rows below it

    @property
    def texts(self):
        """Return every line of text in the row, question first."""
        lines = [self.question]
        for cell in self.cells or [self.spanning or []]:
            lines += [line.text for line in cell]
        return lines


@dataclasses.dataclass
class Section:
    title: str
    rows: list


@dataclasses.dataclass
class Worksheet:
    plan: object
    strategy: object
    indicators: list
    sections: list
    today: object
    status: str  # the strategy's rolled-up status, a portal.plan.status constant


def format_measure(value, unit, places=2, missing=""):
    """Format a value in an indicator's unit, as "82.1%", "14" or "12.5 hours".

    Trailing zeros are dropped after rounding to places decimals. missing is returned for None.
    """
    if value is None:
        return missing
    number = f"{value:,.{places}f}".rstrip("0").rstrip(".")
    if unit == "percent":
        return f"{number}%"
    if unit == "hours":
        return f"{number} hours"
    return number


def format_date(day):
    return f"{day:%b} {day.day}, {day.year}" if day else ""


def local_date(moment, time_zone):
    """Return the date in the district's time zone of a naive UTC datetime."""
    if moment is None:
        return None
    return moment.replace(tzinfo=datetime.timezone.utc).astimezone(zoneinfo.ZoneInfo(time_zone)).date()


def yes_no(value):
    return {True: "Yes", False: "No"}.get(value, "Not answered")


def lines(*texts):
    return [Line(text) for text in texts if text]


def build_worksheet(strategy, today=None):
    """Return the Worksheet of a strategy, loading everything with a fixed number of queries."""
    plan = strategy.plan
    today = today or plan_today(plan)
    progress = progress_for(plan, [strategy], today=today)[strategy.id]
    people = {person.id: person for person in Person.select().where(Person.plan == plan)}
    check_in_ids = [cell.check_in.id for row in progress.rows for cell in row.cells if cell.check_in]
    files = {}
    for item in EvidenceFile.select().where(EvidenceFile.check_in.in_(check_in_ids or [-1])).order_by(EvidenceFile.id):
        files.setdefault(item.check_in_id, []).append(item.original_name)
    reflection_ids = [cell.reflection.id for row in progress.rows for cell in row.cells if cell.reflection]
    set_by_reflection = {}
    revisions = (
        Benchmark.select(Benchmark, Reflection)
        .join(Reflection)
        .where(Benchmark.reflection.in_(reflection_ids or [-1]))
        .order_by(Benchmark.id)
    )
    reasons = {}
    for benchmark in revisions:
        set_by_reflection[(benchmark.reflection_id, benchmark.period_id)] = benchmark
        reasons[benchmark.id] = benchmark

    rows = progress.rows
    periods = [cell.period for cell in rows[0].cells] if rows else []
    sections = [
        strategy_section(strategy, rows),
        monitoring_plan_section(strategy, rows, periods, people, reasons, plan.time_zone),
    ]
    for index, period in enumerate(periods):
        cells = [row.cells[index] for row in rows]
        if any(cell.check_in for cell in cells) or calls_for_check_ins(period, today):
            sections.append(check_in_section(period, rows, cells, files))
        if any(cell.reflection for cell in cells):
            sections.append(reflection_section(period, rows, cells, periods, set_by_reflection))
    return Worksheet(plan, strategy, [row.indicator for row in rows], sections, today, progress.status)


def strategy_section(strategy, rows):
    indicator_cells = []
    for row in rows:
        indicator = row.indicator
        baseline = format_measure(indicator.baseline_value, indicator.unit)
        target = format_measure(indicator.target_value, indicator.unit)
        indicator_cells.append(
            lines(
                indicator.name,
                "Lower is better." if indicator.direction == "decrease" else "Higher is better.",
                baseline and f"Baseline: {baseline}" + (f" on {format_date(indicator.baseline_as_of)}" if indicator.baseline_as_of else ""),
                target and f"Goal: {target}" + (f" by {format_date(indicator.target_by)}" if indicator.target_by else ""),
            )
        )
    return Section(
        "Strategy, Goal, and Leading Indicator(s)",
        [
            Row("Name of Strategy", spanning=lines(strategy.name)),
            Row("Long-Term Goal of Strategy", spanning=lines(strategy.long_term_goal)),
            Row("Leading Indicator(s)", cells=indicator_cells),
        ],
    )


def monitoring_plan_section(strategy, rows, periods, people, reasons, time_zone):
    def per_indicator(attribute):
        return [lines(getattr(row.indicator, attribute)) for row in rows]

    result = [
        Row("How often will our team monitor progress toward each leading indicator?", cells=per_indicator("monitoring_frequency")),
        Row("What evidence will we collect of progress toward each leading indicator?", cells=per_indicator("evidence")),
        Row("How will we know we are on track toward meeting our long-term goal?", cells=per_indicator("on_track_when")),
        Row("What are our interim benchmarks?", cells=[[] for _row in rows], emphasis=True),
    ]
    for index, period in enumerate(periods):
        cells = [benchmark_lines(row.cells[index], row.indicator.unit, reasons, time_zone) for row in rows]
        result.append(Row(period.label, cells=cells))
    responsible = []
    for row in rows:
        person = people.get(row.indicator.responsible_id)
        if person is None:
            responsible.append([])
        elif person.title:
            responsible.append(lines(f"{person.name}, {person.title}"))
        else:
            responsible.append(lines(person.name))
    dates = ""
    if strategy.starts_on:
        dates = f"{format_date(strategy.starts_on)} to {format_date(strategy.ends_on)}." if strategy.ends_on else f"From {format_date(strategy.starts_on)}."
    result += [
        Row(
            "What might we do to course-correct if we are not on track to meet our long-term goal "
            "according to the benchmarks established?",
            spanning=lines(strategy.course_corrections),
        ),
        Row("Who will be responsible for monitoring progress for this indicator?", cells=responsible),
        Row(
            "Considering the workflow of the school year and staff capacity for implementation, "
            "what is the best time to start and end each strategy and activity?",
            spanning=lines(dates, strategy.timing),
        ),
        Row(
            "How will you support stakeholder engagement at each level (district, building leadership, "
            "and teachers)? How will you create ownership for strategy implementation and results?",
            spanning=lines(strategy.stakeholder_engagement),
        ),
    ]
    return Section("Step 2. Establish a Monitoring Plan", result)


def benchmark_lines(cell, unit, reasons, time_zone):
    """Return the replaced benchmarks struck through, each with when and why, then the one in force."""
    result = []
    for old in cell.replaced:
        result.append(Line(described(old, unit), struck=True))
        revision = reasons.get(old.superseded_by_id)
        reason = f": {revision.reflection.course_correction}" if revision and revision.reflection.course_correction else ""
        result.append(Line(f"Replaced on {format_date(local_date(old.superseded_at, time_zone))}{reason}"))
    if cell.benchmark:
        result.append(Line(described(cell.benchmark, unit)))
    return result


def described(benchmark, unit):
    value = format_measure(benchmark.target, unit)
    return f"{value}: {benchmark.description}" if benchmark.description else value


def check_in_section(period, rows, cells, files):
    def answers(make):
        return [make(cell.check_in, row.indicator) if cell.check_in else lines(NOT_RECORDED) for row, cell in zip(rows, cells)]

    def progress(check_in, indicator):
        cell = next(c for r, c in zip(rows, cells) if r.indicator is indicator)
        actual = format_measure(check_in.actual, indicator.unit)
        target = format_measure(cell.benchmark.target, indicator.unit) if cell.benchmark else ""
        summary = f"Actual: {actual}" if actual else "No actual value yet"
        if target:
            summary += f" against a benchmark of {target} ({STATUS_LABELS[cell.status]})"
        return lines(summary, check_in.progress_notes)

    def evidence(check_in, _indicator):
        names = files.get(check_in.id, [])
        return lines(check_in.evidence, names and "Files: " + ", ".join(names))

    window = f"{period.label}: {format_date(period.starts_on)} to {format_date(period.ends_on)}"
    return Section(
        f"Step 3. Monitor Progress and Identify Evidence ({period.label})",
        [
            Row(CHECK_IN_QUESTIONS["period"], spanning=lines(window)),
            Row(CHECK_IN_QUESTIONS["implemented"], cells=answers(lambda c, i: lines(IMPLEMENTED_LABELS.get(c.implemented, c.implemented)))),
            Row(CHECK_IN_QUESTIONS["evidence"], cells=answers(evidence)),
            Row(CHECK_IN_QUESTIONS["progress_notes"], cells=answers(progress)),
            Row(CHECK_IN_QUESTIONS["adjustments_needed"], cells=answers(lambda c, i: lines(yes_no(c.adjustments_needed)))),
        ],
    )


def reflection_section(period, rows, cells, periods, set_by_reflection):
    def answers(make):
        return [make(cell.reflection) if cell.reflection else [] for cell in cells]

    def went_wrong(reflection):
        return lines(
            reflection.what_went_wrong,
            f"Implemented: {IMPLEMENTED_LABELS.get(reflection.implemented, reflection.implemented or 'Not answered')}",
            reflection.evidence_of_implementation and f"Evidence of implementation: {reflection.evidence_of_implementation}",
            reflection.factors and f"Factors: {reflection.factors}",
            f"Resources sufficient: {yes_no(reflection.resources_sufficient)}",
            f"Realistic to measure in the interval: {yes_no(reflection.realistic_to_measure)}",
        )

    result = [
        Row("What went wrong? (Answers to the self-reflection questions.)", cells=answers(went_wrong)),
        Row(REFLECTION_QUESTIONS["revisit_course_corrections"], cells=answers(lambda r: lines(r.revisit_course_corrections))),
        Row(REFLECTION_QUESTIONS["course_correction"], cells=answers(lambda r: lines(r.course_correction))),
        Row("Establish new benchmarks for monitoring progress as needed.", cells=[[] for _row in rows], emphasis=True),
    ]
    for later in periods:
        if later.position <= period.position:
            continue
        new = []
        for row, cell in zip(rows, cells):
            benchmark = set_by_reflection.get((cell.reflection.id, later.id)) if cell.reflection else None
            new.append(lines(described(benchmark, row.indicator.unit)) if benchmark else [])
        result.append(Row(later.label, cells=new))
    return Section(f"Step 4. Self-Correct and Course-Correct as Needed ({period.label})", result)


def worksheet_docx(worksheet):
    """Return the worksheet as the bytes of a Word (.docx) document."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Inches, Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Inches(11), Inches(8.5)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Inches(0.5))
    document.styles["Normal"].font.size = Pt(9)

    document.add_heading(TITLE, level=1)
    document.add_paragraph(f"{worksheet.plan.lea_name}. {worksheet.plan.title}.")
    document.add_paragraph(
        f"Strategy: {worksheet.strategy.name}. Status: {STATUS_LABELS[worksheet.status]}. "
        f"Prepared on {format_date(worksheet.today)}."
    )

    columns = 2 + max(len(worksheet.indicators), 1)
    table = document.add_table(rows=0, cols=columns)
    table.style = "Table Grid"
    for section_data in worksheet.sections:
        first = len(table.rows)
        for row in section_data.rows:
            cells = table.add_row().cells
            write_lines(cells[1], [Line(row.question)], bold=row.emphasis)
            if row.spanning is not None:
                merged = cells[2].merge(cells[-1]) if columns > 3 else cells[2]
                write_lines(merged, row.spanning)
            else:
                for cell, cell_lines in zip(cells[2:], row.cells or []):
                    write_lines(cell, cell_lines)
        last = len(table.rows) - 1
        step_cell = table.cell(first, 0).merge(table.cell(last, 0)) if last > first else table.cell(first, 0)
        write_lines(step_cell, [Line(section_data.title)], bold=True)

    widths = [Inches(1.2), Inches(2.3)] + [Inches(6.5 / max(len(worksheet.indicators), 1))] * (columns - 2)
    for table_row in table.rows:
        for cell, width in zip(table_row.cells, widths):
            cell.width = width

    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def write_lines(cell, cell_lines, bold=False):
    """Write each Line as its own paragraph of a table cell, struck through where marked."""
    paragraph = cell.paragraphs[0]
    for index, line in enumerate(cell_lines):
        if index:
            paragraph = cell.add_paragraph()
        run = paragraph.add_run(line.text)
        run.font.strike = line.struck
        run.font.bold = bold
