"""Step 3 check-ins, Step 4 reflections, evidence files, the monitoring calendar and the worksheet.

Staff only. A point person edits the check-ins and reflections of the indicators they are
named responsible for, and administrators edit all of them. District leaders and other point
persons read them.
"""

import logging
import os

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from portal.auth.guards import staff_required
from portal.db import transaction
from portal.errors import Conflict, render_error
from portal.feedback.models import Thread
from portal.monitoring import display, operations, uploads
from portal.monitoring.calendar import DUE, NEXT, OVERDUE, calls_for_check_ins, tasks_for, window_phase
from portal.monitoring.display import CHECK_IN_LABELS, REFLECTION_LABELS, history_entries
from portal.monitoring.forms import (
    CheckInForm,
    PeriodStateForm,
    benchmark_subforms,
    reflection_form_class,
)
from portal.monitoring.worksheet import build_worksheet, format_measure, worksheet_docx
from portal.plan.models import (
    Benchmark,
    CheckIn,
    EvidenceFile,
    LeadingIndicator,
    MonitoringPeriod,
    Plan,
    Reflection,
    Strategy,
)
from portal.plan.status import benchmark_status, plan_today
from portal.plan.views import load_strategy
from portal.web import render_page_or_block

logger = logging.getLogger(__name__)

bp = Blueprint(
    "monitoring", __name__, url_prefix="/monitoring", static_folder="static", static_url_path="/static"
)
display.register(bp)


def actor():
    return current_user.get_id()


def is_htmx():
    return request.headers.get("HX-Request") == "true"


def current_plan():
    plan = Plan.current()
    if plan is None:
        abort(404)
    return plan


def load_indicator(indicator_id):
    """Return the current plan's indicator with its strategy, or abort with 404."""
    indicator = (
        LeadingIndicator.select(LeadingIndicator, Strategy)
        .join(Strategy)
        .where((LeadingIndicator.id == indicator_id) & (Strategy.plan == current_plan()))
        .first()
    )
    if indicator is None:
        abort(404)
    return indicator


def can_edit(indicator):
    """Return True for administrators and for the indicator's own point person."""
    if current_user.role == "admin":
        return True
    return (
        current_user.role == "point-person"
        and current_user.person_id is not None
        and current_user.person_id == indicator.responsible_id
    )


def require_editor(indicator):
    if not can_edit(indicator):
        abort(403)


def plan_periods(plan):
    return list(MonitoringPeriod.select().where(MonitoringPeriod.plan == plan).order_by(MonitoringPeriod.position))


def chosen_period(periods, key, today):
    """Return the period named in the query string (404 if none such), or the one most likely wanted.

    Without a key that is the latest period that calls for check-ins, else the first period.
    """
    if key:
        period = next((period for period in periods if period.key == key), None)
        if period is None:
            abort(404)
        return period
    if not periods:
        abort(404)
    calling = [period for period in periods if calls_for_check_ins(period, today)]
    if calling:
        return calling[-1]
    return periods[0]


# Check-ins ---------------------------------------------------------------------------------


def check_in_form(indicator, periods, today, **kwargs):
    return CheckInForm(indicator=indicator, periods=periods, today=today, is_admin=current_user.role == "admin", **kwargs)


def check_in_data(period, check_in):
    """Return the form's starting values from a saved check-in, or blank ones."""
    if check_in is None:
        return {"period": period.key}
    return {
        "period": period.key,
        "implemented": check_in.implemented or None,
        "evidence": check_in.evidence,
        "actual": format_measure(check_in.actual, "count") if check_in.actual is not None else "",
        "progress_notes": check_in.progress_notes,
        "adjustments_needed": "yes" if check_in.adjustments_needed else "no",
    }


def find_check_in(indicator, period):
    return CheckIn.get_or_none((CheckIn.indicator == indicator) & (CheckIn.period == period))


def render_check_in(indicator, period, periods, form, status=200):
    check_in = find_check_in(indicator, period)
    files = list(check_in.files.order_by(EvidenceFile.id)) if check_in else []
    reflection = Reflection.get_or_none((Reflection.indicator == indicator) & (Reflection.period == period))
    benchmark = Benchmark.get_or_none(
        (Benchmark.indicator == indicator) & (Benchmark.period == period) & Benchmark.superseded_by.is_null()
    )
    return render_page_or_block(
        "monitoring/check_in.html",
        "check_in",
        status=status,
        indicator=indicator,
        strategy=indicator.strategy,
        period=period,
        periods=periods,
        check_in=check_in,
        reflection=reflection,
        benchmark=benchmark,
        period_status=benchmark_status(
            indicator.direction,
            benchmark.target if benchmark else None,
            check_in.actual if check_in else None,
            period.is_due(plan_today(indicator.strategy.plan)),
        ),
        files=files,
        form=form,
        editable=can_edit(indicator),
        history=history_entries(check_in, CHECK_IN_LABELS),
        accept=uploads.ACCEPT_ATTRIBUTE,
    )


@bp.route("/indicators/<int:indicator_id>/check-in", methods=["GET"])
@staff_required()
def check_in_page(indicator_id):
    """Show an indicator's Step 3 check-in for a period: a form for its editors, the saved values for others."""
    indicator = load_indicator(indicator_id)
    plan = indicator.strategy.plan
    today = plan_today(plan)
    periods = plan_periods(plan)
    period = chosen_period(periods, request.args.get("period"), today)

    form = check_in_form(indicator, periods, today, formdata=None, data=check_in_data(period, find_check_in(indicator, period)))
    return render_check_in(indicator, period, periods, form)


@bp.route("/indicators/<int:indicator_id>/check-in", methods=["POST"])
@staff_required()
def save_check_in(indicator_id):
    """Save the check-in for the period chosen in the form, with any evidence files uploaded."""
    indicator = load_indicator(indicator_id)
    require_editor(indicator)
    plan = indicator.strategy.plan
    today = plan_today(plan)
    periods = plan_periods(plan)
    form = check_in_form(indicator, periods, today)
    if not form.validate_on_submit():
        period = form.period.period or chosen_period(periods, None, today)
        return render_check_in(indicator, period, periods, form, status=422)

    period = form.period.period
    values = {
        "implemented": form.implemented.data,
        "evidence": form.evidence.data,
        "actual": form.actual.value,
        "progress_notes": form.progress_notes.data,
        "adjustments_needed": form.adjustments_needed.data == "yes",
    }
    check_in = operations.save_check_in(actor(), indicator, period, values, form.accepted_files)
    message = f"Check-in for {period.label} saved."
    if check_in.adjustments_needed:
        message += " Adjustments are needed, so record the Step 4 reflection next."
    flash(message, "success")

    if is_htmx():
        fresh = check_in_form(indicator, periods, today, formdata=None, data=check_in_data(period, check_in))
        return render_check_in(indicator, period, periods, fresh)
    return redirect(url_for("monitoring.check_in_page", indicator_id=indicator.id, period=period.key), code=303)


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error):
    """Explain a request body over MAX_CONTENT_LENGTH, which Flask rejects before reading the form.

    NOTE: the form's text cannot be shown again because it was never read. With htmx the
    error goes into the alert area and the form stays on the page. Without JavaScript the
    typed text comes back only if the browser restores it when the user goes back.
    """
    limit = current_app.config["MAX_CONTENT_LENGTH"] or 0
    per_file = uploads.megabytes(current_app.config["EVIDENCE_MAX_BYTES"])
    logger.info("Rejected an upload of more than %s bytes on %s", limit, request.path)
    return render_error(
        413,
        f"The files you chose add up to more than {uploads.megabytes(limit)}, so nothing was saved. "
        f"Each file may be at most {per_file}. Go back to the form, choose fewer or smaller files "
        "(or save links to them in the evidence instead), and save again.",
    )


# Evidence files ----------------------------------------------------------------------------


def load_evidence_file(file_id):
    evidence_file = (
        EvidenceFile.select(EvidenceFile, CheckIn, LeadingIndicator, Strategy, MonitoringPeriod)
        .join(CheckIn)
        .join(LeadingIndicator)
        .join(Strategy)
        .switch(CheckIn)
        .join(MonitoringPeriod)
        .where(EvidenceFile.id == file_id)
        .first()
    )
    if evidence_file is None:
        abort(404)
    return evidence_file


@bp.route("/evidence/<int:file_id>", methods=["GET"])
@staff_required()
def download_evidence(file_id):
    """Send an evidence file to staff as a download, with the content type its content was checked as."""
    evidence_file = load_evidence_file(file_id)
    path = uploads.stored_path(evidence_file.stored_name)
    if not os.path.exists(path):
        logger.error("Evidence file %s is missing from the disk at %s", evidence_file.id, path)
        abort(404)
    response = send_file(
        path,
        mimetype=evidence_file.content_type,
        as_attachment=True,
        download_name=evidence_file.original_name,
        max_age=0,
    )
    # The file is never shown inside the portal, so it may run nothing even if opened in place.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@bp.route("/evidence/<int:file_id>/delete", methods=["POST"])
@staff_required()
def delete_evidence(file_id):
    """Remove an evidence file from its check-in."""
    evidence_file = load_evidence_file(file_id)
    check_in = evidence_file.check_in
    indicator = check_in.indicator
    require_editor(indicator)
    if check_in.period.state == "closed" and current_user.role != "admin":
        raise Conflict(f"The {check_in.period.label} period is closed, so only an administrator can remove its files.")

    operations.delete_evidence_file(actor(), evidence_file)
    flash(f"Removed {evidence_file.original_name}.", "success")

    if is_htmx():
        plan = indicator.strategy.plan
        periods = plan_periods(plan)
        today = plan_today(plan)
        form = check_in_form(indicator, periods, today, formdata=None, data=check_in_data(check_in.period, check_in))
        return render_check_in(indicator, check_in.period, periods, form)
    return redirect(url_for("monitoring.check_in_page", indicator_id=indicator.id, period=check_in.period.key), code=303)


# Reflections -------------------------------------------------------------------------------


def reflection_problem(indicator):
    """Return a function telling why no reflection may be written for a period, or None if one may."""

    def problem(period):
        if Reflection.get_or_none((Reflection.indicator == indicator) & (Reflection.period == period)):
            return None
        check_in = find_check_in(indicator, period)
        if check_in is None:
            return (
                f"There is no check-in for the {period.label} period yet. Record the check-in first, "
                "and answer yes to whether adjustments are needed."
            )
        if not check_in.adjustments_needed:
            return (
                f"The {period.label} check-in states no adjustments are needed. If they are, change that "
                "answer in the check-in first."
            )
        return None

    return problem


def reflection_form(indicator, periods, period, today, **kwargs):
    later = [other for other in periods if other.position > period.position]
    form_class = reflection_form_class(later, indicator.unit)
    return form_class(
        periods=periods,
        today=today,
        is_admin=current_user.role == "admin",
        needs_check_in=reflection_problem(indicator),
        **kwargs,
    )


def reflection_data(indicator, period, reflection, in_force):
    """Return the form's starting values from a saved reflection and the benchmarks it set."""
    data = {"period": period.key}
    if reflection is not None:
        for field in operations.REFLECTION_FIELDS:
            value = getattr(reflection, field)
            if field in ("resources_sufficient", "realistic_to_measure"):
                value = {True: "yes", False: "no"}.get(value, "")
            data[field] = value
    for later_id, benchmark in in_force.items():
        if reflection is not None and benchmark.reflection_id == reflection.id:
            data[f"benchmark_{later_id}"] = {
                "target": format_measure(benchmark.target, "count"),
                "description": benchmark.description,
            }
    return data


def benchmarks_by_period(indicator):
    """Return ({period id: benchmark in force}, [replaced benchmarks]) of an indicator."""
    rows = list(Benchmark.select().where(Benchmark.indicator == indicator).order_by(Benchmark.id))
    in_force = {benchmark.period_id: benchmark for benchmark in rows if benchmark.in_force}
    return in_force, [benchmark for benchmark in rows if not benchmark.in_force]


def render_reflection(indicator, period, periods, form, status=200):
    reflection = Reflection.get_or_none((Reflection.indicator == indicator) & (Reflection.period == period))
    in_force, replaced = benchmarks_by_period(indicator)
    set_here_ids = {b.id for b in in_force.values() if reflection is not None and b.reflection_id == reflection.id}
    return render_page_or_block(
        "monitoring/reflection.html",
        "reflection",
        status=status,
        indicator=indicator,
        strategy=indicator.strategy,
        period=period,
        periods=periods,
        check_in=find_check_in(indicator, period),
        reflection=reflection,
        problem=reflection_problem(indicator)(period),
        form=form,
        subforms=benchmark_subforms(form),
        in_force=in_force,
        replaced=[b for b in replaced if b.superseded_by_id in set_here_ids],
        editable=can_edit(indicator),
        history=history_entries(reflection, REFLECTION_LABELS),
        periods_by_id={p.id: p for p in periods},
    )


@bp.route("/indicators/<int:indicator_id>/reflection", methods=["GET"])
@staff_required()
def reflection_page(indicator_id):
    """Show an indicator's Step 4 reflection for a period, with the strategy's planned course corrections."""
    indicator = load_indicator(indicator_id)
    plan = indicator.strategy.plan
    today = plan_today(plan)
    periods = plan_periods(plan)
    period = chosen_period(periods, request.args.get("period"), today)

    reflection = Reflection.get_or_none((Reflection.indicator == indicator) & (Reflection.period == period))
    in_force, _replaced = benchmarks_by_period(indicator)
    data = reflection_data(indicator, period, reflection, in_force)
    form = reflection_form(indicator, periods, period, today, formdata=None, data=data)
    return render_reflection(indicator, period, periods, form)


@bp.route("/indicators/<int:indicator_id>/reflection", methods=["POST"])
@staff_required()
def save_reflection(indicator_id):
    """Save the reflection for the period chosen in the form, and any new benchmarks for later periods."""
    indicator = load_indicator(indicator_id)
    require_editor(indicator)
    plan = indicator.strategy.plan
    today = plan_today(plan)
    periods = plan_periods(plan)
    posted = next((p for p in periods if p.key == request.form.get("period")), None)
    displayed = posted or chosen_period(periods, None, today)
    form = reflection_form(indicator, periods, displayed, today)
    if not form.validate_on_submit():
        return render_reflection(indicator, displayed, periods, form, status=422)

    values = {field: form[field].data for field in operations.REFLECTION_FIELDS}
    for field in ("resources_sufficient", "realistic_to_measure"):
        values[field] = {"yes": True, "no": False}.get(form[field].data)
    new_benchmarks = [
        (later, subform.target.value, subform.description.data)
        for later, subform in benchmark_subforms(form)
        if subform.target.value is not None
    ]
    operations.save_reflection(actor(), indicator, posted, values, new_benchmarks)
    flash(f"Reflection for {posted.label} saved.", "success")

    if is_htmx():
        in_force, _replaced = benchmarks_by_period(indicator)
        reflection = Reflection.get((Reflection.indicator == indicator) & (Reflection.period == posted))
        fresh = reflection_form(indicator, periods, posted, today, formdata=None, data=reflection_data(indicator, posted, reflection, in_force))
        return render_reflection(indicator, posted, periods, fresh)
    return redirect(url_for("monitoring.reflection_page", indicator_id=indicator.id, period=posted.key), code=303)


# The calendar ------------------------------------------------------------------------------


@bp.route("/calendar", methods=["GET"])
@staff_required()
def calendar():
    """Show the periods' windows and states, and the check-ins and reflections due, overdue and next."""
    plan = current_plan()
    today = plan_today(plan)
    everyone = current_user.role in ("admin", "leader")
    if everyone:
        person_ids = None
    elif current_user.person_id:
        person_ids = [current_user.person_id]
    else:
        person_ids = []

    periods, groups = tasks_for(plan, today, person_ids)
    return render_page_or_block(
        "monitoring/calendar.html",
        "calendar",
        plan=plan,
        today=today,
        periods=periods,
        groups=groups,
        everyone=everyone,
        not_linked=not everyone and current_user.person_id is None,
        phase=lambda period: window_phase(period, today),
        may_change_state=everyone,
        states=(OVERDUE, DUE, NEXT),
        state_form=PeriodStateForm(formdata=None),
    )


@bp.route("/periods/<int:period_id>/state", methods=["POST"])
@staff_required("admin", "leader")
def set_period_state(period_id):
    """Open or close a monitoring period. Closing freezes its check-ins for everyone but administrators."""
    period = MonitoringPeriod.get_or_none((MonitoringPeriod.id == period_id) & (MonitoringPeriod.plan == current_plan()))
    if period is None:
        abort(404)
    form = PeriodStateForm()
    if not form.validate_on_submit():
        raise Conflict(f"{form.state.data!r} is not a period state. Choose upcoming, open or closed.")

    if form.state.data == "closed" and request.form.get("confirm") != "yes":
        return render_template("monitoring/close_period.html", period=period, **closing_consequences(period))

    from portal.review.freezing import freeze_period

    # The close and the frozen summaries are saved together: a failure leaves the period as it was.
    with transaction():
        operations.set_period_state(actor(), period, form.state.data)
        if form.state.data == "closed":
            freeze_period(period, current_user._get_current_object())
    flash(f"{period.label} is now {form.state.data}.", "success")
    return redirect(url_for("monitoring.calendar"), code=303)


def closing_consequences(period):
    """Return what closing a period changes, for the confirmation page."""
    from portal.review.models import InputSummary

    from portal.stakeholders.models import Campaign

    strategies = Strategy.select().where(Strategy.plan == period.plan_id).count()
    frozen = InputSummary.select().where(InputSummary.period == period).count()
    today = plan_today(period.plan)
    return {
        "last_period": not MonitoringPeriod.select().where(
            (MonitoringPeriod.plan == period.plan_id) & (MonitoringPeriod.starts_on > period.ends_on)
        ).exists(),
        "open_campaigns": list(
            Campaign.select()
            .where((Campaign.period == period) & Campaign.revoked_at.is_null() & (Campaign.closes_on >= today))
            .order_by(Campaign.closes_on)
        ),
        "strategies_to_freeze": strategies - frozen,
        "already_frozen": frozen,
        "check_ins": CheckIn.select().where(CheckIn.period == period).count(),
        "open_threads": Thread.select().where((Thread.period == period) & Thread.state.in_(("awaiting_reply", "answered"))).count(),
    }


# The worksheet -----------------------------------------------------------------------------


@bp.route("/strategies/<key>/worksheet", methods=["GET"])
@staff_required()
def worksheet(key):
    """Show a strategy's Progress Monitoring Planning Table as a printable page."""
    strategy = load_strategy(key)
    return render_page_or_block("monitoring/worksheet.html", "worksheet", sheet=build_worksheet(strategy))


@bp.route("/strategies/<key>/worksheet.docx", methods=["GET"])
@staff_required()
def worksheet_download(key):
    """Send a strategy's Progress Monitoring Planning Table as a Word document."""
    strategy = load_strategy(key)
    content = worksheet_docx(build_worksheet(strategy))
    response = current_app.response_class(content, mimetype=uploads.DOCX.content_type)
    response.headers.set("Content-Disposition", "attachment", filename=f"worksheet-{strategy.key}.docx")
    return response


def task_url(task):
    endpoint = "monitoring.check_in_page" if task.kind == "check-in" else "monitoring.reflection_page"
    return url_for(endpoint, indicator_id=task.indicator.id, period=task.period.key)


@bp.app_template_global()
def monitoring_task_url(task):
    return task_url(task)

