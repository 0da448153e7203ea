"""Board packet exports: comments, summaries and check-ins as CSV or Excel, and the packet as PDF."""

import collections
import csv
import datetime
import io
import logging
import os
import unicodedata

import arabic_reshaper
import openpyxl
import peewee as pw
from bidi import get_display
from flask import current_app
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from xml.sax.saxutils import escape

from portal.feedback.models import Comment, Thread
from portal.plan.models import Benchmark, LeadingIndicator, Strategy
from portal.plan.status import local_date
from portal.review.packet import STATUS_LABELS, WITHHELD_NOTE, group_rows, headline_figures, indicator_rows, open_threads_text
from portal.review.summary import EXCERPT_GROUP_MIN_PARTICIPANTS, count_input, quotable, summary_for
from portal.stakeholders.models import Stakeholder, StakeholderGroup
from portal.web import format_moment

logger = logging.getLogger(__name__)

PDF_FONT_NAME = "PacketSans"
# A spreadsheet program runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_KINDS = ("comments", "summaries", "check-ins")
GROUP_NOT_SHOWN = f"not shown: fewer than {EXCERPT_GROUP_MIN_PARTICIPANTS} in the group"
SCHOOL_NOT_SHOWN = f"not shown: fewer than {EXCERPT_GROUP_MIN_PARTICIPANTS} at the school"
LANGUAGE_NOT_SHOWN = f"not shown: fewer than {EXCERPT_GROUP_MIN_PARTICIPANTS} wrote in it"
COMMENTS_LEFT_OUT = (
    "Comments left out: too few people took part to share them without pointing at someone. "
    "The packet prints only the quotes that staff chose."
)


def neutralise(value):
    """Return a text cell that a spreadsheet would run as a formula with a single quote in front."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def comment_rows(plan, period):
    """Return the header and one row per stakeholder comment in the period's threads.

    The comments are left out, with one row saying so, for a strategy whose summary
    withholds its figures: their number alone is a count the summary hides. A comment's
    group, school and language are given only when at least EXCERPT_GROUP_MIN_PARTICIPANTS
    participants of the strategy share them, as for the summary's quotes, and its date
    without the time. Otherwise a verbatim comment beside them could point at its author.
    """
    header = ["thread", "posted_on", "strategy", "indicator", "group", "school", "language", "body", "thread_state", "outcome"]
    comments = (
        Comment.select(Comment, Thread, Strategy, Stakeholder, StakeholderGroup, Benchmark, LeadingIndicator)
        .join(Thread)
        .join(Strategy)
        .switch(Thread)
        .join(Benchmark, pw.JOIN.LEFT_OUTER)
        .join(LeadingIndicator, pw.JOIN.LEFT_OUTER)
        .switch(Comment)
        .join(Stakeholder)
        .join(StakeholderGroup)
        .where((Thread.plan == plan) & (Thread.period == period) & Comment.withdrawn_at.is_null() & (Comment.internal == False))  # noqa: E712
        .order_by(Comment.created_at, Comment.id)
    )
    rows = []
    shareable = {}
    for comment in comments:
        thread = comment.thread
        if thread.strategy_id not in shareable:
            shareable[thread.strategy_id] = what_to_share(thread.strategy, period)
            if shareable[thread.strategy_id] is None:
                rows.append(["", "", thread.strategy.key, "", "", "", "", COMMENTS_LEFT_OUT, "", ""])
        if shareable[thread.strategy_id] is None:
            continue
        named_groups, named_schools, named_languages = shareable[thread.strategy_id]
        person = comment.stakeholder
        body = f"[hidden by the district: {comment.hidden_reason}]" if comment.hidden_at else comment.body
        rows.append(
            [
                thread.id,
                local_date(comment.created_at, plan.time_zone).isoformat(),
                thread.strategy.key,
                thread.benchmark.indicator.key if thread.benchmark_id else "",
                person.group.label if person.group_id in named_groups else GROUP_NOT_SHOWN,
                person.school if person.school in named_schools else SCHOOL_NOT_SHOWN,
                comment.language if comment.language in named_languages else LANGUAGE_NOT_SHOWN,
                body,
                thread.state,
                thread.outcome or "",
            ]
        )
    return header, rows


def what_to_share(strategy, period):
    """Return (group ids, schools, languages) that may stand beside a comment, or None to leave them all out."""
    if summary_for(strategy, period).get("figures_withheld"):
        return None
    raw = count_input(strategy, period)
    named_groups, named_schools = quotable(raw)
    writers = collections.defaultdict(set)
    for comment in raw["comments"]:
        writers[comment.language].add(comment.author)
    named_languages = {language for language, people in writers.items() if len(people) >= EXCERPT_GROUP_MIN_PARTICIPANTS}
    return named_groups, named_schools, named_languages


def frozen_moment(frozen):
    """Return when a summary was frozen in the district's time zone, as the pages show it."""
    return format_moment(datetime.datetime.fromisoformat(frozen["at"]))


def summary_rows(figures):
    header = ["strategy", "figure", "value"]
    rows = []
    for item in figures:
        for label, text in headline_figures(item.summary):
            rows.append([item.strategy.key, label, text])
        for label, participants, comments in group_rows(item.summary):
            rows.append([item.strategy.key, f"Participants: {label}", participants])
            rows.append([item.strategy.key, f"Comments: {label}", comments])
        if item.summary.get("figures_withheld"):
            rows.append([item.strategy.key, "Why figures are not shown", WITHHELD_NOTE])
        frozen = item.summary.get("frozen")
        rows.append([item.strategy.key, "Frozen", f"{frozen_moment(frozen)} by {frozen['by'] or 'unknown'}" if frozen else "live"])
    return header, rows


def check_in_rows(figures, period):
    header = ["strategy", "indicator", "benchmark", "actual", "status", "implemented", "evidence", "progress_notes", "adjustments_needed"]
    rows = []
    for item in figures:
        for indicator, cell in item.period_rows(period):
            check_in = cell.check_in
            rows.append(
                [
                    item.strategy.key,
                    indicator.key,
                    cell.benchmark.target if cell.benchmark else "",
                    cell.actual if cell.actual is not None else "",
                    STATUS_LABELS[cell.status],
                    check_in.implemented if check_in else "",
                    check_in.evidence if check_in else "",
                    check_in.progress_notes if check_in else "",
                    adjustments_text(check_in),
                ]
            )
    return header, rows


def adjustments_text(check_in):
    if check_in is None:
        return ""
    return "yes" if check_in.adjustments_needed else "no"


def to_csv(header, rows):
    """Return UTF-8 CSV bytes with a byte-order mark, so Excel reads the accents."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(header, rows, title):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(header)
    for row in rows:
        sheet.append([neutralise(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pdf_font():
    """Return the name of the font the PDF is set in, registering the configured TrueType font once."""
    path = current_app.config["PDF_FONT"] or next(
        (candidate for candidate in current_app.config["PDF_FONT_CANDIDATES"] if os.path.exists(candidate)), ""
    )
    if not path:
        logger.warning("No TrueType font for the board packet PDF; quotes outside Latin-1 print as boxes")
        return "Helvetica"
    if PDF_FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(PDF_FONT_NAME, path))
    return PDF_FONT_NAME


def is_right_to_left(text):
    """Return True if the text has a letter of a right-to-left script, such as Arabic or Hebrew."""
    return any(unicodedata.bidirectional(character) in ("R", "AL") for character in text)


def visual_lines(text, font, size, width):
    """Return right-to-left text as lines in the order they are drawn, each fitting the width.

    reportlab draws characters left to right as stored and does not join Arabic letters,
    so each line is shaped into Arabic presentation forms and reordered here. The text is
    broken into lines first, because reordering a whole paragraph would put its last
    words on the first line.
    """
    lines, line = [], ""
    for word in arabic_reshaper.reshape(text).split():
        candidate = f"{line} {word}" if line else word
        if line and pdfmetrics.stringWidth(candidate, font, size) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    if line:
        lines.append(line)
    return [get_display(line, base_dir="R") for line in lines]


def quote_paragraphs(excerpt, style, width):
    """Return the flowables for a chosen quote and its group, right-aligned for right-to-left text."""
    quote = f"\u201c{excerpt['body']}\u201d"
    attribution = f"({excerpt['group']})" if excerpt["group"] else ""
    if not is_right_to_left(quote):
        return [Paragraph(escape(f"{quote} {attribution}".strip()), style)]
    right = style.clone(f"{style.name}-rtl", alignment=TA_RIGHT)
    lines = visual_lines(quote, style.fontName, style.fontSize, width)
    flowables = [Paragraph("<br/>".join(escape(line) for line in lines), right)]
    if attribution:
        flowables.append(Paragraph(escape(attribution), right))
    return flowables


def packet_pdf(plan, period, figures):
    """Return the board packet as PDF bytes, with the figures the packet page shows."""
    font = pdf_font()
    buffer = io.BytesIO()
    title = f"Board packet: {period.label}"
    document = SimpleDocTemplate(
        buffer, pagesize=LETTER, title=title, author=plan.lea_name, leftMargin=0.75 * inch, rightMargin=0.75 * inch
    )
    styles = getSampleStyleSheet()
    for style in ("Title", "BodyText", "Heading2"):
        styles[style].fontName = font
    small = styles["BodyText"].clone("small", fontSize=9, leading=11)
    grid = TableStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dfe1e2")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )

    def cells(row):
        return [Paragraph(escape(str(value)), small) for value in row]

    story = [
        Paragraph(escape(title), styles["Title"]),
        Paragraph(escape(f"{plan.lea_name}: {plan.title}"), styles["BodyText"]),
        Paragraph(escape(f"Period {period.starts_on:%B %-d, %Y} to {period.ends_on:%B %-d, %Y}"), styles["BodyText"]),
    ]
    for item in figures:
        summary = item.summary
        story.append(Spacer(1, 12))
        story.append(Paragraph(escape(item.strategy.name), styles["Heading2"]))
        story.append(Paragraph(escape(f"Status: {STATUS_LABELS[item.progress.status]}. Open threads: {open_threads_text(item)}."), styles["BodyText"]))
        table = Table([cells(["Indicator", "Benchmark", "Actual", "Status"])] + [cells(row) for row in indicator_rows(item, period)], colWidths=[3.4 * inch, 1 * inch, 1 * inch, 1.1 * inch])
        table.setStyle(grid)
        story.append(table)
        story.append(Spacer(1, 6))
        figures_table = Table([cells(["Stakeholder input", "Value"])] + [cells(pair) for pair in headline_figures(summary)], colWidths=[3.4 * inch, 3.1 * inch])
        figures_table.setStyle(grid)
        story.append(figures_table)
        if summary.get("figures_withheld"):
            story.append(Paragraph(escape(WITHHELD_NOTE), small))
        groups = group_rows(summary)
        if groups:
            story.append(Spacer(1, 6))
            group_table = Table([cells(["Group", "Participants", "Comments"])] + [cells(row) for row in groups], colWidths=[3.4 * inch, 1.6 * inch, 1.5 * inch])
            group_table.setStyle(grid)
            story.append(group_table)
        frozen = summary.get("frozen")
        note = f"Frozen {frozen_moment(frozen)} by {frozen['by'] or 'unknown'}." if frozen else "Live figures: the period is not closed."
        story.append(Paragraph(escape(note), small))
        for excerpt in summary["excerpts"]:
            story.extend(quote_paragraphs(excerpt, small, document.width))
    document.build(story)
    return buffer.getvalue()
