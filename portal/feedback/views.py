"""Comments on strategies and benchmarks, threads, and the point person's inbox."""

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.auth.guards import staff_required, stakeholder_required, viewer_required
from portal.feedback import operations, own_comments
from portal.db import utcnow
from portal.feedback.deadlines import commitment, overdue_before
from portal.feedback.forms import INBOX_STATES, CommentForm, InboxFilterForm, StaffMessageForm, ThreadMessageForm
from portal.feedback.models import Comment, Thread
from portal.plan.models import Benchmark, LeadingIndicator, Plan
from portal.plan.views import load_strategy, render_strategy_page, thread_list_context
from portal.feedback.loop import loop_forms
from portal.stakeholders.campaigns import comment_window_notice
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
    closed = comment_window_notice(g.invitation)
    if closed is not None:
        form.body.errors.append(closed)
        return comment_form_response(strategy, benchmark, form, status=422)

    hide_name = None if g.stakeholder.group.anonymous else form.hide_name.data
    thread = operations.start_thread(g.stakeholder, strategy, benchmark, form.body.data, form.language.data, hide_name)

    if request.headers.get("HX-Request") == "true":
        fresh = CommentForm(formdata=None, language=form.language.data, hide_name=form.hide_name.data)
        return comment_form_response(strategy, benchmark, fresh, sent_thread=thread)
    flash(_("Thank you. Your comment was sent to the person responsible."), "success")
    return redirect(url_for("feedback.thread", thread_id=thread.id), code=303)


def comment_form_response(strategy, benchmark, form, status=200, sent_thread=None):
    """Return the comment form alone for htmx, or the strategy page without JavaScript."""
    if request.headers.get("HX-Request") == "true":
        form.aim_at(benchmark)
        html, status, headers = render_page_or_block(
            "feedback/_comment_form.html",
            "comment_form",
            status=status,
            strategy=strategy,
            benchmark=benchmark,
            form=form,
            sent_thread=sent_thread,
        )
        if sent_thread is not None:
            # The new thread joins "Your comments" further down the page at once.
            html += render_template("plan/_threads.html", oob=True, strategy=strategy, **thread_list_context(strategy))
        return html, status, headers
    return render_strategy_page(strategy, failed_form=form, failed_benchmark=benchmark, status=status)


@bp.route("/threads/<int:thread_id>", methods=["GET"])
@viewer_required
def thread(thread_id):
    """Show a thread to its stakeholder or to staff."""
    thread = load_thread(thread_id)
    return render_thread(thread)


def render_thread(thread, status=200, **forms):
    """Render the thread page (or its conversation block for htmx); forms replace the blank ones."""
    staff_view = current_user.is_authenticated
    comments = list(Comment.visible_in(thread, include_internal=staff_view))
    form_class = StaffMessageForm if staff_view else ThreadMessageForm
    # Errors of a failed staff form, summarised at the top because the form may be far below.
    form_errors = [(field.label.text, error) for form in forms.values() for field in form for error in field.errors]
    context = {"form": forms.pop("form", None) or form_class(formdata=None), "form_errors": form_errors}
    if staff_view:
        context.update(loop_forms(thread, forms))
    else:
        now = utcnow()
        context["changeable"] = {
            comment.id: own_comments.editable_until(comment)
            for comment in comments
            if own_comments.can_change(comment, g.stakeholder, now, comments)
        }
    return render_page_or_block(
        "feedback/thread.html",
        "conversation",
        status=status,
        thread=thread,
        comments=comments,
        can_write=can_reply(thread) if staff_view else can_answer_back(thread),
        can_manage=can_manage(thread),
        staff_view=staff_view,
        **context,
    )


def can_reply(thread):
    """Return True for the point person who replies in the thread, or to whom it was handed."""
    if not current_user.is_authenticated or current_user.role != "point-person":
        return False
    if thread.assigned_to_id is not None:
        return thread.assigned_to_id == current_user.id
    return current_user.person_id in thread.responsible_person_ids()


def can_manage(thread):
    """Return True for staff who may hand the thread on or tag it: its point person, leaders, admins."""
    return can_reply(thread) or (current_user.is_authenticated and current_user.role in ("leader", "admin"))


def can_answer_back(thread):
    return g.stakeholder is not None and thread.stakeholder_id == g.stakeholder.id


@bp.route("/threads/<int:thread_id>/comments", methods=["POST"])
@viewer_required
def post_in_thread(thread_id):
    """Add the point person's reply, a staff note, or the stakeholder's answer to a thread."""
    thread = load_thread(thread_id)
    form = StaffMessageForm() if current_user.is_authenticated else ThreadMessageForm()
    note = current_user.is_authenticated and form.internal.data
    if not (note or can_reply(thread) or can_answer_back(thread)):
        abort(403)
    if not form.validate_on_submit():
        return render_thread(thread, status=422, form=form)

    if note:
        operations.add_note(thread, current_user._get_current_object(), form.body.data)
        flash("Note added. Only staff see it.", "success")
    elif current_user.is_authenticated:
        operations.reply(thread, current_user._get_current_object(), form.body.data)
        if thread.stakeholder.notifications_enabled:
            flash("Reply sent. The stakeholder will be emailed.", "success")
        else:
            flash("Reply sent. This stakeholder turned off email, so they will see it on their next visit.", "success")
    else:
        operations.answer_back(thread, g.stakeholder, form.body.data, g.stakeholder.language)
        flash(_("Your answer was sent."), "success")

    if request.headers.get("HX-Request") == "true":
        return render_thread(Thread.get_by_id(thread.id))
    return redirect(url_for("feedback.thread", thread_id=thread.id), code=303)


INBOX_PAGE_SIZE = 50


def inbox_scope():
    """Return the inbox query arguments that limit a point person to their own threads."""
    if current_user.role == "point-person":
        return {"person_id": current_user.person_id or -1, "staff_id": current_user.id}
    return {}


def overdue_cutoff():
    plan = Plan.current()
    return overdue_before(utcnow(), plan.time_zone if plan else "UTC", *commitment())


@bp.route("/inbox")
@staff_required()
def inbox():
    """List threads by state, oldest waiting first, filtered by strategy, period, group and language."""
    filters = InboxFilterForm(request.args, meta={"csrf": False})
    filters.fill_choices(Plan.current())
    valid = filters.validate()
    if not valid:
        filters.drop_invalid(request.args)
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and int(page) > 0 else 1
    cutoff = overdue_cutoff()

    query = Thread.inbox(
        **inbox_scope(),
        state=filters.state.data or "awaiting_reply",
        overdue_before=cutoff,
        strategy_id=filters.strategy.data or None,
        period_id=filters.period.data or None,
        group_id=filters.group.data or None,
        language=filters.language.data or None,
    )
    total = query.count()
    threads = list(query.paginate(page, INBOX_PAGE_SIZE))
    pages = max(1, -(-total // INBOX_PAGE_SIZE))
    html = render_template(
        "feedback/inbox.html",
        threads=threads,
        total=total,
        page=page,
        pages=pages,
        filters=filters,
        states=INBOX_STATES,
        cutoff=cutoff,
        rating=helpful_share(**inbox_scope()),
        not_linked=current_user.role == "point-person" and current_user.person_id is None,
    )
    return html, 200 if valid else 422


def helpful_share(person_id=None, staff_id=None):
    """Return (share of rated replies marked helpful, number rated) for the viewer's replies."""
    query = Comment.select(Comment.helpful).where(Comment.helpful.is_null(False))
    if staff_id is not None:
        query = query.where(Comment.staff == staff_id)
    ratings = [row.helpful for row in query]
    if not ratings:
        return None, 0
    return sum(ratings) / len(ratings), len(ratings)


def inbox_counts():
    """Return the number of threads awaiting the viewer's reply and how many are overdue."""
    return Thread.waiting_counts(overdue_cutoff(), **inbox_scope())
