"""The leaders' dashboard, the board packet with its exports, and each strategy's input summary.

Staff only. The dashboard, packet and exports are for district leaders and administrators.
Any staff member may read a strategy's summary. The strategy's point persons, leaders and
administrators choose the comments it quotes.
"""

import logging

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user

from portal.auth.guards import staff_required
from portal.db import transaction
from portal.errors import Conflict
from portal.feedback.models import Comment, Thread
from portal.plan.models import CheckIn, LeadingIndicator, MonitoringPeriod, Plan
from portal.plan.status import plan_today
from portal.plan.views import load_strategy
from portal.review import exports
from portal.review.charts import format_value, indicator_chart
from portal.review.models import InputSummary, SummaryExcerpt
from portal.review.packet import (
    WITHHELD_NOTE,
    count_text,
    group_rows,
    headline_figures,
    indicator_rows,
    open_threads_text,
    plan_periods,
    plan_schools,
    strategy_figures,
)
from portal.review.summary import summary_for
from portal.web import render_page_or_block

logger = logging.getLogger(__name__)

bp = Blueprint("review", __name__, static_folder="static", static_url_path="/review/static")

LEADERS = ("admin", "leader")
# Comments offered for quoting on one page of an input summary.
CANDIDATES_PAGE_SIZE = 50


@bp.context_processor
def summary_texts():
    return {"withheld_note_text": WITHHELD_NOTE, "open_threads_text": open_threads_text}


def current_plan():
    plan = Plan.current()
    if plan is None:
        abort(404)
    return plan


def default_period(periods, today):
    """Return the open period, else the latest one that has started, else the first."""
    for period in periods:
        if period.state == "open":
            return period
    started = [period for period in periods if period.starts_on <= today]
    return started[-1] if started else periods[0]


def load_period(plan, key):
    period = MonitoringPeriod.get_or_none((MonitoringPeriod.plan == plan) & (MonitoringPeriod.key == key))
    if period is None:
        abort(404)
    return period


# The dashboard -----------------------------------------------------------------------------


@bp.route("/dashboard", methods=["GET"])
@staff_required(*LEADERS)
def dashboard():
    """Show every strategy's progress as charts and tables beside its stakeholder input, for one period."""
    plan = current_plan()
    periods = plan_periods(plan)
    if not periods:
        abort(404)
    schools = plan_schools()
    errors = {}

    period_key = request.args.get("period", "")
    period = next((p for p in periods if p.key == period_key), None)
    if period_key and period is None:
        errors["period"] = f"{period_key!r} is not a monitoring period of the plan. Choose one of the periods in the list."
    period = period or default_period(periods, plan_today(plan))

    school = request.args.get("school", "")
    if school and school not in schools:
        errors["school"] = f"{school!r} is not a school on the roster. Choose a school from the list, or all schools."
        school = ""

    figures = strategy_figures(plan, period, school or None)
    charts = {
        row.indicator.id: indicator_chart(row.indicator, row, f"chart-{row.indicator.id}")
        for item in figures
        for row in item.progress.rows
    }
    return render_page_or_block(
        "review/dashboard.html",
        "dashboard",
        status=422 if errors else 200,
        plan=plan,
        periods=periods,
        period=period,
        schools=schools,
        school=school,
        errors=errors,
        figures=figures,
        charts=charts,
        headline_figures=headline_figures,
        group_rows=group_rows,
    )


# The board packet --------------------------------------------------------------------------


def packet_context(period_key):
    plan = current_plan()
    period = load_period(plan, period_key)
    return plan, period, strategy_figures(plan, period)


@bp.route("/board-packet/<period_key>", methods=["GET"])
@staff_required(*LEADERS)
def board_packet(period_key):
    """Show the period's board packet as one printable page."""
    plan, period, figures = packet_context(period_key)
    return render_page_or_block(
        "review/board_packet.html",
        "packet",
        plan=plan,
        period=period,
        figures=figures,
        headline_figures=headline_figures,
        group_rows=group_rows,
        indicator_rows=indicator_rows,
        kinds=exports.EXPORT_KINDS,
    )


@bp.route("/board-packet/<period_key>/packet.pdf", methods=["GET"])
@staff_required(*LEADERS)
def board_packet_pdf(period_key):
    """Send the period's board packet as a PDF with the same figures as the page."""
    plan, period, figures = packet_context(period_key)
    response = current_app.response_class(exports.packet_pdf(plan, period, figures), mimetype="application/pdf")
    response.headers.set("Content-Disposition", "attachment", filename=f"board-packet-{period.key}.pdf")
    return response


@bp.route("/board-packet/<period_key>/<any(comments, summaries, 'check-ins'):kind>.<any(csv, xlsx):file_format>", methods=["GET"])
@staff_required(*LEADERS)
def board_packet_export(period_key, kind, file_format):
    """Send the period's comments, summaries or check-ins as CSV or as an Excel workbook."""
    plan, period, figures = packet_context(period_key)
    if kind == "comments":
        header, rows = exports.comment_rows(plan, period)
    elif kind == "summaries":
        header, rows = exports.summary_rows(figures)
    else:
        header, rows = exports.check_in_rows(figures, period)
    filename = f"{kind}-{period.key}.{file_format}"
    if file_format == "csv":
        response = current_app.response_class(exports.to_csv(header, rows), mimetype="text/csv")
    else:
        response = current_app.response_class(
            exports.to_xlsx(header, rows, kind),
            mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    logger.info("Staff user %s exported %s for period %s", current_user.id, filename, period.id)
    return response


# A strategy's summary and its excerpts -----------------------------------------------------


def may_choose_excerpts(strategy, thread=None):
    """Return True for leaders, administrators and the point persons who reply on the strategy."""
    if current_user.role in LEADERS:
        return True
    if current_user.role != "point-person" or current_user.person_id is None:
        return False
    if thread is not None:
        return current_user.person_id in thread.responsible_person_ids()
    if strategy.person_responsible_id == current_user.person_id:
        return True
    return LeadingIndicator.select().where((LeadingIndicator.strategy == strategy) & (LeadingIndicator.responsible == current_user.person_id)).exists()


def is_frozen(strategy_id, period_id):
    return InputSummary.select().where((InputSummary.strategy == strategy_id) & (InputSummary.period == period_id)).exists()


@bp.route("/review/strategies/<key>/periods/<period_key>", methods=["GET"])
@staff_required()
def strategy_summary(key, period_key):
    """Show a strategy's input summary for a period, its check-ins, and the comments to quote."""
    strategy = load_strategy(key)
    period = load_period(strategy.plan, period_key)
    summary = summary_for(strategy, period)
    check_ins = list(
        CheckIn.select(CheckIn, LeadingIndicator)
        .join(LeadingIndicator)
        .where((LeadingIndicator.strategy == strategy) & (CheckIn.period == period))
        .order_by(LeadingIndicator.position)
    )
    frozen = summary["frozen"] is not None
    chooser = may_choose_excerpts(strategy) and not frozen
    candidates, page, pages = [], 1, 1
    if chooser:
        query = (
            Comment.select(Comment, Thread)
            .join(Thread)
            .where(
                (Thread.strategy == strategy)
                & (Thread.period == period)
                & Comment.stakeholder.is_null(False)
                & Comment.hidden_at.is_null()
                & Comment.withdrawn_at.is_null()
            )
        )
        pages = max(1, -(-query.count() // CANDIDATES_PAGE_SIZE))
        page = request.args.get("page", "1")
        page = min(int(page), pages) if page.isdigit() and int(page) > 0 else 1
        candidates = list(query.order_by(Comment.created_at, Comment.id).paginate(page, CANDIDATES_PAGE_SIZE))
    chosen = {row.comment_id for row in SummaryExcerpt.select().where((SummaryExcerpt.strategy == strategy) & (SummaryExcerpt.period == period))}
    return render_page_or_block(
        "review/summary.html",
        "summary",
        strategy=strategy,
        period=period,
        periods=plan_periods(strategy.plan),
        summary=summary,
        check_ins=check_ins,
        candidates=candidates,
        candidates_offset=(page - 1) * CANDIDATES_PAGE_SIZE,
        page=page,
        pages=pages,
        chosen=chosen,
        chooser=chooser,
        count_text=count_text,
        headline_figures=headline_figures,
        group_rows=group_rows,
    )


def safe_next(default):
    """Return the form's `next` when it is a path on this site, else the default."""
    target = request.form.get("next", "")
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


@bp.route("/review/comments/<int:comment_id>/excerpt", methods=["POST"])
@staff_required()
def choose_excerpt(comment_id):
    """Quote a stakeholder comment in its strategy's summary for the thread's period, or stop quoting it."""
    comment = (
        Comment.select(Comment, Thread)
        .join(Thread)
        .where((Comment.id == comment_id) & (Thread.plan == current_plan()))
        .first()
    )
    if comment is None:
        abort(404)
    thread = comment.thread
    if not may_choose_excerpts(thread.strategy, thread):
        abort(403)
    action = request.form.get("action", "")
    if action not in ("choose", "remove"):
        raise Conflict(f"{action!r} is not an excerpt action. Send choose to quote the comment or remove to stop quoting it.")
    if comment.stakeholder_id is None or comment.internal:
        raise Conflict("Only a stakeholder's comment can be quoted. Choose one of the stakeholders' comments.")
    if comment.hidden_at is not None or comment.withdrawn_at is not None:
        raise Conflict("This comment was hidden or withdrawn, so it cannot be quoted. Choose another comment.")
    if thread.period_id is None:
        raise Conflict("This conversation belongs to no monitoring period, so no summary can quote it.")
    period = thread.period
    if is_frozen(thread.strategy_id, period.id):
        raise Conflict(f"The summary for {period.label} was frozen when the period closed, so its excerpts can no longer change.")

    with transaction():
        existing = SummaryExcerpt.get_or_none(
            (SummaryExcerpt.strategy == thread.strategy_id) & (SummaryExcerpt.period == period) & (SummaryExcerpt.comment == comment)
        )
        if action == "choose" and existing is None:
            SummaryExcerpt.create(strategy=thread.strategy_id, period=period, comment=comment, chosen_by=current_user.id)
        elif action == "remove" and existing is not None:
            existing.delete_instance()
    logger.info("Staff user %s set comment %s as excerpt: %s", current_user.id, comment.id, action)
    flash("The summary now quotes this comment." if action == "choose" else "The summary no longer quotes this comment.", "success")
    default = url_for("review.strategy_summary", key=thread.strategy.key, period_key=period.key)
    return redirect(safe_next(default), code=303)


@bp.app_template_global()
def excerpt_choices(thread):
    """Return (may choose, ids of quoted comments) for the staff thread page's excerpt buttons."""
    if not current_user.is_authenticated or thread.period_id is None or is_frozen(thread.strategy_id, thread.period_id):
        return False, set()
    if not may_choose_excerpts(thread.strategy, thread):
        return False, set()
    chosen = {
        row.comment_id
        for row in SummaryExcerpt.select(SummaryExcerpt.comment).where(
            (SummaryExcerpt.strategy == thread.strategy_id) & (SummaryExcerpt.period == thread.period_id)
        )
    }
    return True, chosen


@bp.app_template_global()
def chart_value(value, unit):
    """Format a benchmark or actual value as the charts label it."""
    return format_value(value, unit)
