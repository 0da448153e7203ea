"""Comments on strategies and benchmarks, threads, and the point person's inbox."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.guards import staff_required, stakeholder_required, viewer_required
from portal.feedback import operations
from portal.feedback.forms import CommentForm, ThreadMessageForm
from portal.feedback.models import Comment, Thread
from portal.plan.models import Benchmark, LeadingIndicator
from portal.plan.views import load_strategy, render_strategy_page
from portal.web import render_page_or_block

bp = Blueprint("feedback", __name__)


def load_thread(thread_id):
    """Return the thread if the viewer may read it: its stakeholder, or any staff member."""
    thread = Thread.get_or_none(Thread.id == thread_id)
    if thread is None:
        abort(404)
    if current_user.is_authenticated:
        return thread
    if g.stakeholder is None or thread.stakeholder_id != g.stakeholder.id:
        abort(403)
    return thread


def benchmark_from_form(strategy, value):
    """Return the benchmark a comment form names, or None for the strategy; 404 if not the strategy's."""
    if not value:
        return None
    if not value.isdigit():
        abort(404)
    benchmark = (
        Benchmark.select(Benchmark)
        .join(LeadingIndicator)
        .where((Benchmark.id == int(value)) & (LeadingIndicator.strategy == strategy))
        .first()
    )
    if benchmark is None:
        abort(404)
    return benchmark


@bp.route("/strategies/<key>/comments", methods=["POST"])
@stakeholder_required
def post_comment(key):
    """Start a thread on the strategy or, when the form names one, on a benchmark."""
    strategy = load_strategy(key)
    form = CommentForm()
    benchmark = benchmark_from_form(strategy, form.benchmark.data)
    if not form.validate_on_submit():
        return comment_form_response(strategy, benchmark, form, status=422)

    thread = operations.start_thread(g.stakeholder, strategy, benchmark, form.body.data, form.language.data)

    if request.headers.get("HX-Request") == "true":
        return comment_form_response(strategy, benchmark, CommentForm(formdata=None), sent_thread=thread)
    flash(_("Thank you. Your comment was sent to the person responsible."), "success")
    return redirect(url_for("feedback.thread", thread_id=thread.id), code=303)


def comment_form_response(strategy, benchmark, form, status=200, sent_thread=None):
    """Return the comment form alone for htmx, or the strategy page without JavaScript."""
    if request.headers.get("HX-Request") == "true":
        form.aim_at(benchmark)
        return render_page_or_block(
            "feedback/_comment_form.html",
            "comment_form",
            status=status,
            strategy=strategy,
            benchmark=benchmark,
            form=form,
            sent_thread=sent_thread,
        )
    return render_strategy_page(strategy, failed_form=form, failed_benchmark=benchmark, status=status)


@bp.route("/threads/<int:thread_id>", methods=["GET"])
@viewer_required
def thread(thread_id):
    """Show a thread to its stakeholder or to staff."""
    thread = load_thread(thread_id)
    return render_thread(thread, ThreadMessageForm(formdata=None))


def render_thread(thread, form, status=200):
    staff_view = current_user.is_authenticated
    comments = list(Comment.visible_in(thread, include_internal=staff_view))
    return render_page_or_block(
        "feedback/thread.html",
        "conversation",
        status=status,
        thread=thread,
        comments=comments,
        form=form,
        can_write=can_write_in(thread),
        staff_view=staff_view,
    )


def can_write_in(thread):
    """Return True for the thread's stakeholder and for a point person who may reply in it."""
    if current_user.is_authenticated:
        return current_user.role == "point-person" and current_user.person_id in thread.responsible_person_ids()
    return g.stakeholder is not None and thread.stakeholder_id == g.stakeholder.id


@bp.route("/threads/<int:thread_id>/comments", methods=["POST"])
@viewer_required
def post_in_thread(thread_id):
    """Add the point person's reply or the stakeholder's answer to a thread."""
    thread = load_thread(thread_id)
    if not can_write_in(thread):
        abort(403)
    form = ThreadMessageForm()
    if not form.validate_on_submit():
        return render_thread(thread, form, status=422)

    if current_user.is_authenticated:
        operations.reply(thread, current_user._get_current_object(), form.body.data)
        flash("Reply sent. The stakeholder will be emailed.", "success")
    else:
        operations.answer_back(thread, g.stakeholder, form.body.data, g.stakeholder.language)
        flash(_("Your answer was sent."), "success")

    if request.headers.get("HX-Request") == "true":
        return render_thread(Thread.get_by_id(thread.id), ThreadMessageForm(formdata=None))
    return redirect(url_for("feedback.thread", thread_id=thread.id), code=303)


INBOX_PAGE_SIZE = 50


@bp.route("/inbox")
@staff_required()
def inbox():
    """List threads awaiting a reply, oldest first: a point person's own, or all for leaders and admins."""
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and int(page) > 0 else 1
    person_id = current_user.person_id if current_user.role == "point-person" else None
    if current_user.role == "point-person" and person_id is None:
        threads, total = [], 0
    else:
        query = Thread.awaiting_reply(person_id)
        total = query.count()
        threads = list(query.paginate(page, INBOX_PAGE_SIZE))
    pages = max(1, -(-total // INBOX_PAGE_SIZE))
    return render_template("feedback/inbox.html", threads=threads, total=total, page=page, pages=pages)
