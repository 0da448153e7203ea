"""The plan overview (Step 1) and each strategy's monitoring plan with its progress."""

from peewee import JOIN, fn
from flask import Blueprint, abort, current_app, g, render_template
from flask_login import current_user

from portal.auth.guards import can_see_strategy, viewer_required
from portal.feedback.forms import CommentForm
from portal.feedback.models import Comment, Thread
from portal.plan.models import Benchmark, LeadingIndicator, MonitoringPeriod, Person, Plan, Strategy
from portal.plan.status import plan_today, progress_for
from portal.feedback.own_comments import pulse_answers_of, pulse_tallies
from portal.stakeholders.campaigns import comment_window_notice
from portal.web import role_of_viewer

bp = Blueprint("plan", __name__)


def visible_strategies(plan):
    """Return the plan's strategies the viewer may read, in order."""
    strategies = (
        Strategy.select(Strategy, Person)
        .join(Person, JOIN.LEFT_OUTER)
        .where(Strategy.plan == plan)
        .order_by(Strategy.position)
    )
    return [strategy for strategy in strategies if can_see_strategy(strategy)]


@bp.route("/")
def overview():
    """Show the Step 1 table, or the welcome page to someone not signed in."""
    if role_of_viewer() == "anonymous":
        status = 403 if g.get("invitation_problem") else 200
        return render_template("plan/welcome.html", invitation_problem=g.get("invitation_problem")), status
    plan = Plan.current()
    if plan is None:
        return render_template("plan/no_plan.html")

    strategies = visible_strategies(plan)
    progress = progress_for(plan, strategies)
    counts = {}
    for strategy in strategies:
        counts[progress[strategy.id].status] = counts.get(progress[strategy.id].status, 0) + 1
    return render_template(
        "plan/overview.html",
        plan=plan,
        strategies=strategies,
        progress=progress,
        status_counts=counts,
        audience=audience_view(),
    )


@bp.route("/strategies/<key>")
@viewer_required
def strategy(key):
    """Show a strategy's monitoring plan, benchmarks against actual values, and comment forms."""
    return render_strategy_page(load_strategy(key))


def load_strategy(key):
    """Return the current plan's strategy with this key if the viewer may read it, else abort."""
    plan = Plan.current()
    strategy = plan and Strategy.get_or_none((Strategy.plan == plan) & (Strategy.key == key))
    if strategy is None:
        abort(404)
    if not can_see_strategy(strategy):
        abort(403)
    return strategy


def summaries_by_period(strategy):
    """Return [(period, frozen InputSummary or None)] for the strategy, in calendar order."""
    from portal.auth.models import StaffUser
    from portal.review.models import InputSummary

    frozen = {
        summary.period_id: summary
        for summary in InputSummary.select(InputSummary, StaffUser)
        .join(StaffUser, JOIN.LEFT_OUTER)
        .where(InputSummary.strategy == strategy)
    }
    periods = MonitoringPeriod.select().where(MonitoringPeriod.plan == strategy.plan_id).order_by(MonitoringPeriod.position)
    return [(period, frozen.get(period.id)) for period in periods]


def audience_view():
    """Return which version of the plan pages the viewer gets: "staff", "family", "educator" or "board".

    Families, and any group AUDIENCE_VIEWS does not name, get plain-language pages with
    the numbers folded away. Educators get the indicators and benchmark data first. Board
    members start from the plan's status.
    """
    if current_user.is_authenticated:
        return "staff"
    if g.get("stakeholder") is None:
        return None
    return current_app.config["AUDIENCE_VIEWS"].get(g.stakeholder.group.key, "family")


# Threads listed on a strategy page; staff find the rest in the inbox.
RECENT_THREADS = 20


def opening_comments(threads):
    """Return {thread id: its first comment} for the threads, in one query."""
    ids = [thread.id for thread in threads]
    first_ids = (
        Comment.select(fn.MIN(Comment.id)).where(Comment.thread.in_(ids)).group_by(Comment.thread)
    )
    return {comment.thread_id: comment for comment in Comment.select().where(Comment.id.in_(first_ids))} if ids else {}


def recent_threads(strategy):
    """Return the strategy's threads listed on its page, newest first: all for staff, else the stakeholder's own."""
    threads = (
        Thread.select(Thread, Benchmark, LeadingIndicator, MonitoringPeriod)
        .join(Benchmark, JOIN.LEFT_OUTER)
        .join(LeadingIndicator, JOIN.LEFT_OUTER)
        .switch(Benchmark)
        .join(MonitoringPeriod, JOIN.LEFT_OUTER)
        .where(Thread.strategy == strategy)
        .order_by(Thread.created_at.desc())
        .limit(RECENT_THREADS)
    )
    if not current_user.is_authenticated:
        threads = threads.where(Thread.stakeholder == g.stakeholder)
    return list(threads)


def thread_list_context(strategy):
    """Return what templates/plan/_threads.html needs besides the strategy."""
    threads = recent_threads(strategy)
    return {"threads": threads, "openings": opening_comments(threads), "recent_limit": RECENT_THREADS}


def render_strategy_page(strategy, failed_form=None, failed_benchmark=None, status=200):
    """Render the strategy page; a form that failed validation is shown with its errors."""
    plan = strategy.plan
    progress = progress_for(plan, [strategy])[strategy.id]

    benchmark_ids = [cell.benchmark.id for row in progress.rows for cell in row.cells if cell.benchmark]
    input_summaries = summaries_by_period(strategy) if current_user.is_authenticated else []
    window_notice = comment_window_notice(g.invitation) if g.stakeholder else None

    def form_for(benchmark):
        if failed_form is not None and failed_benchmark == benchmark:
            return failed_form.aim_at(benchmark)
        language = g.stakeholder.language if g.stakeholder else "en"
        hide_name = bool(g.stakeholder) and not g.stakeholder.show_name_to_staff
        return CommentForm(formdata=None, language=language, hide_name=hide_name).aim_at(benchmark)

    return (
        render_template(
            "plan/strategy.html",
            plan=plan,
            strategy=strategy,
            progress=progress,
            **thread_list_context(strategy),
            form_for=form_for,
            today=plan_today(plan),
            can_comment=g.stakeholder is not None and window_notice is None,
            window_notice=window_notice,
            input_summaries=input_summaries,
            audience=audience_view(),
            pulse_answers=pulse_answers_of(g.stakeholder, benchmark_ids) if g.stakeholder else {},
            pulse_tallies=pulse_tallies(benchmark_ids) if current_user.is_authenticated else {},
            failed_form=failed_form.aim_at(failed_benchmark) if failed_form is not None else None,
        ),
        status,
    )
