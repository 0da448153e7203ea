"""Stakeholder actions besides commenting: the benchmark pulse, and editing or withdrawing a comment."""

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from portal.auth.guards import can_see_strategy, stakeholder_required
from portal.db import utcnow
from portal.feedback import own_comments
from portal.feedback.forms import EditCommentForm
from portal.feedback.models import PULSE_ANSWERS, Comment
from portal.feedback.views import bp
from portal.plan.models import Benchmark, LeadingIndicator, Strategy
from portal.stakeholders.campaigns import comment_window_notice
from portal.web import render_page_or_block


def load_benchmark(benchmark_id):
    """Return the benchmark with its indicator and strategy if the stakeholder may see it."""
    benchmark = (
        Benchmark.select(Benchmark, LeadingIndicator, Strategy)
        .join(LeadingIndicator)
        .join(Strategy)
        .where(Benchmark.id == benchmark_id)
        .first()
    )
    if benchmark is None:
        abort(404)
    if not can_see_strategy(benchmark.indicator.strategy):
        abort(403)
    return benchmark


@bp.route("/benchmarks/<int:benchmark_id>/pulse", methods=["POST"])
@stakeholder_required
def answer_pulse(benchmark_id):
    """Record the stakeholder's one-tap answer to "Is this working at your school?"."""
    benchmark = load_benchmark(benchmark_id)
    answer = request.form.get("answer", "")
    problem = comment_window_notice(g.invitation)
    if benchmark.period.state == "closed":
        # The period's input summary is frozen, so a changed answer would count nowhere.
        problem = _(
            "Answers for %(period)s closed when the district reviewed that period. You can still comment.",
            period=benchmark.period.text_in("label", get_locale()),
        )
    elif answer not in PULSE_ANSWERS:
        problem = _("Choose one of the answers: yes, somewhat, no or not sure.")
    if problem is None:
        own_comments.answer_pulse(g.stakeholder, benchmark, answer)
    status = 200 if problem is None else 422
    if request.headers.get("HX-Request") == "true":
        return render_page_or_block(
            "feedback/_pulse.html",
            "pulse",
            status=status,
            benchmark=benchmark,
            current_answer=answer if problem is None else own_comments.pulse_answers_of(g.stakeholder, [benchmark.id]).get(benchmark.id),
            pulse_error=problem,
            pulse_saved=problem is None,
        )
    if problem is None:
        flash(_("Thank you. Your answer was saved; you can change it at any time."), "success")
    else:
        flash(problem, "error")
    target = url_for("plan.strategy", key=benchmark.indicator.strategy.key, _anchor=f"benchmark-{benchmark.id}")
    return redirect(target, code=303)


def load_own_comment(comment_id):
    """Return the stakeholder's own comment, or abort: 404 unknown, 403 someone else's."""
    comment = Comment.get_or_none(Comment.id == comment_id)
    if comment is None or comment.stakeholder_id is None:
        abort(404)
    if comment.stakeholder_id != g.stakeholder.id:
        abort(403)
    return comment


def too_late(comment):
    """Send the author back to the thread with the reason the comment can no longer change."""
    if comment.withdrawn_at is not None:
        flash(_("You already withdrew this comment."), "error")
    elif comment.hidden_at is not None:
        flash(_("The district hid this comment, so it can no longer be changed."), "error")
    elif utcnow() < own_comments.editable_until(comment):
        flash(_("Staff have replied to this comment, so it stays as it is. Add a new message instead."), "error")
    else:
        flash(
            _(
                "Comments can be changed for %(minutes)s minutes after sending, and that time has passed. Add a new message instead.",
                minutes=own_comments.current_edit_minutes(),
            ),
            "error",
        )
    return redirect(url_for("feedback.thread", thread_id=comment.thread_id), code=303)


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@stakeholder_required
def edit_comment(comment_id):
    """Let the author correct a comment within the editing window."""
    comment = load_own_comment(comment_id)
    if not own_comments.can_change(comment, g.stakeholder):
        return too_late(comment)
    form = EditCommentForm(body=comment.body) if request.method == "GET" else EditCommentForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template(
            "feedback/edit_comment.html", comment=comment, form=form, until=own_comments.editable_until(comment)
        ), status
    own_comments.edit_comment(comment, g.stakeholder, form.body.data)
    flash(_("Your comment was updated."), "success")
    return redirect(url_for("feedback.thread", thread_id=comment.thread_id), code=303)


@bp.route("/comments/<int:comment_id>/withdraw", methods=["GET", "POST"])
@stakeholder_required
def withdraw_comment(comment_id):
    """Ask the author to confirm, then withdraw their comment within the editing window."""
    comment = load_own_comment(comment_id)
    if not own_comments.can_change(comment, g.stakeholder, utcnow()):
        return too_late(comment)
    if request.method == "GET":
        return render_template(
            "feedback/withdraw_comment.html", comment=comment, until=own_comments.editable_until(comment)
        )
    own_comments.withdraw_comment(comment, g.stakeholder)
    flash(_("Your comment was withdrawn. Staff no longer see its text."), "success")
    return redirect(url_for("feedback.thread", thread_id=comment.thread_id), code=303)
