"""Closing the loop: hand threads on, tag themes, close with an outcome, moderate, rate, report."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.audit.models import AuditEvent
from portal.auth.guards import staff_required, stakeholder_required, viewer_required
from portal.auth.models import StaffUser
from portal.db import transaction
from portal.feedback import operations
from portal.feedback.forms import AssignForm, CloseForm, HideForm, ThemeForm, ThemesForm
from portal.feedback.loop import plan_themes, point_persons, strategy_reflections
from portal.feedback.models import Comment, Theme
from portal.feedback.report import you_said_we_did
from portal.feedback.views import bp, can_manage, can_reply, load_thread, render_thread
from portal.plan.models import MonitoringPeriod, Plan, Reflection
from portal.plan.views import load_strategy


def back_to(thread):
    return redirect(url_for("feedback.thread", thread_id=thread.id), code=303)


def staff_user():
    return current_user._get_current_object()


@bp.route("/threads/<int:thread_id>/assign", methods=["POST"])
@staff_required()
def assign_thread(thread_id):
    """Hand the thread to another point person."""
    thread = load_thread(thread_id)
    if not can_manage(thread):
        abort(403)
    form = AssignForm()
    form.assignee.choices = [(user.id, user.email) for user in point_persons(excluding=(current_user.id,))]
    if not form.validate_on_submit():
        return render_thread(thread, status=422, assign_form=form)

    assignee = StaffUser.get_by_id(form.assignee.data)
    operations.assign(thread, staff_user(), assignee)
    flash(f"Handed to {assignee.display_name}.", "success")
    return back_to(thread)


@bp.route("/threads/<int:thread_id>/themes", methods=["POST"])
@staff_required()
def tag_thread(thread_id):
    """Replace the themes tagged on the thread."""
    thread = load_thread(thread_id)
    if not can_manage(thread):
        abort(403)
    form = ThemesForm()
    themes = {theme.id: theme for theme in plan_themes(thread.plan_id)}
    form.themes.choices = [(theme_id, theme.label) for theme_id, theme in themes.items()]
    if not form.validate_on_submit():
        return render_thread(thread, status=422, themes_form=form)

    chosen = form.themes.data or []  # unticking every box sends no value at all
    operations.set_themes(thread, staff_user(), [themes[theme_id] for theme_id in chosen])
    flash("Themes saved.", "success")
    return back_to(thread)


@bp.route("/threads/<int:thread_id>/close", methods=["POST"])
@staff_required()
def close_thread(thread_id):
    """Close the loop with an outcome that is emailed to the stakeholder."""
    thread = load_thread(thread_id)
    if not can_reply(thread):
        abort(403)
    form = CloseForm()
    reflections = {reflection.id: reflection for reflection in strategy_reflections(thread.strategy_id)}
    form.reflection.choices = [(0, "None")] + [(reflection_id, "") for reflection_id in reflections]
    if not form.validate_on_submit():
        return render_thread(thread, status=422, close_form=form)

    reflection = reflections.get(form.reflection.data)
    operations.close_thread(thread, staff_user(), form.outcome.data, form.note.data, reflection)
    flash("Thread closed. The stakeholder will be emailed the outcome.", "success")
    return back_to(thread)


@bp.route("/comments/<int:comment_id>/hide", methods=["POST"])
@staff_required("leader")
def hide_comment(comment_id):
    """Hide a stakeholder's comment with a reason. It stays stored, and its author is emailed why."""
    comment = Comment.get_or_none(Comment.id == comment_id)
    if comment is None or comment.stakeholder_id is None:
        abort(404)
    if comment.hidden_at is not None:
        abort(409)
    form = HideForm()
    if not form.validate_on_submit():
        return render_thread(comment.thread, status=422, hide_form=form)

    operations.hide_comment(comment, staff_user(), form.reason.data)
    flash("Comment hidden. Its author will be told why.", "success")
    return back_to(comment.thread)


@bp.route("/comments/<int:comment_id>/rating", methods=["POST"])
@stakeholder_required
def rate_reply(comment_id):
    """Record whether the stakeholder found a staff reply helpful."""
    comment = Comment.get_or_none(Comment.id == comment_id)
    if comment is None or comment.staff_id is None or comment.internal:
        abort(404)
    if comment.thread.stakeholder_id != g.stakeholder.id:
        abort(403)
    answer = request.form.get("helpful")
    if answer not in ("yes", "no"):
        abort(400)

    operations.rate_reply(comment, g.stakeholder, answer == "yes")
    flash(_("Thank you for telling us."), "success")
    return back_to(comment.thread)


@bp.route("/strategies/<key>/you-said-we-did")
@viewer_required
def you_said_we_did_page(key):
    """Show, for one period, the themes stakeholders raised on the strategy and what was done."""
    strategy = load_strategy(key)
    periods = list(MonitoringPeriod.select().where(MonitoringPeriod.plan == strategy.plan).order_by(MonitoringPeriod.position))
    chosen = request.args.get("period")
    period = next((p for p in periods if p.key == chosen), None)
    if chosen and period is None:
        abort(404)
    period = period or default_period(periods)

    report = you_said_we_did(strategy, period)
    reflections = {r.id: r for r in Reflection.select().where(Reflection.id.in_(report.reflection_ids))} if report.reflection_ids else {}
    return render_template(
        "feedback/you_said_we_did.html", strategy=strategy, periods=periods, period=period, report=report, reflections=reflections
    )


def default_period(periods):
    """Return the period containing today, else the latest one that has started, else the first."""
    from portal.plan.status import plan_today

    if not periods:
        abort(404)
    today = plan_today(periods[0].plan)
    started = [p for p in periods if p.starts_on <= today]
    current = [p for p in started if today <= p.ends_on]
    return (current or started or periods)[-1 if not current else 0]


@bp.route("/themes", methods=["GET", "POST"])
@staff_required("admin", "leader")
def themes():
    """List the plan's themes and add one."""
    plan = Plan.current()
    if plan is None:
        abort(404)
    form = ThemeForm()
    existing = plan_themes(plan)
    if form.validate_on_submit():
        if any(theme.label.lower() == form.label.data.lower() for theme in existing):
            form.label.errors.append(f"The theme {form.label.data!r} is already on the list.")
        else:
            with transaction():
                theme = Theme.create(plan=plan, label=form.label.data, position=len(existing))
                AuditEvent.record(current_user.get_id(), "theme.created", theme, label=theme.label)
            flash(f"Added the theme {theme.label!r}.", "success")
            return redirect(url_for("feedback.themes"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("feedback/themes.html", form=form, themes=existing), status
