"""The staff forms on a thread page that close the loop: hand on, tag, close, hide."""

from flask_login import current_user

from portal.auth.models import StaffUser
from portal.feedback.forms import AssignForm, CloseForm, HideForm, ThemesForm
from portal.feedback.models import Theme, ThreadTheme
from portal.plan.models import LeadingIndicator, Reflection


def point_persons(excluding=()):
    """Return the active point persons, leaving out the given staff ids."""
    query = StaffUser.select().where((StaffUser.role == "point-person") & (StaffUser.active == True))  # noqa: E712
    excluded = [staff_id for staff_id in excluding if staff_id]
    if excluded:
        query = query.where(StaffUser.id.not_in(excluded))
    return list(query.order_by(StaffUser.name))


def plan_themes(plan):
    return list(Theme.select().where(Theme.plan == plan).order_by(Theme.position, Theme.label))


def strategy_reflections(strategy):
    """Return the Step 4 reflections recorded on the strategy's indicators."""
    return list(
        Reflection.select(Reflection, LeadingIndicator)
        .join(LeadingIndicator)
        .where(LeadingIndicator.strategy == strategy)
        .order_by(LeadingIndicator.position, Reflection.id)
    )


def loop_forms(thread, submitted):
    """Return the staff forms for the thread page, with any submitted (failed) form in place."""
    assign = submitted.get("assign_form") or AssignForm(formdata=None, assignee=thread.assigned_to_id)
    assign.assignee.choices = [(0, "Choose a point person")] + [
        (user.id, f"{user.display_name}{', ' + user.job_title if user.job_title else ''}")
        for user in point_persons(excluding=(current_user.id, thread.assigned_to_id))
    ]

    selected = [link.theme_id for link in ThreadTheme.select().where(ThreadTheme.thread == thread)]
    themes = submitted.get("themes_form") or ThemesForm(formdata=None, themes=selected)
    themes.themes.choices = [(theme.id, theme.label) for theme in plan_themes(thread.plan_id)]

    close = submitted.get("close_form") or CloseForm(formdata=None)
    close.reflection.choices = [(0, "None")] + [
        (reflection.id, f"{reflection.indicator.name}: {reflection.course_correction[:120]}")
        for reflection in strategy_reflections(thread.strategy_id)
    ]

    hide = submitted.get("hide_form") or HideForm(formdata=None)
    return {"assign_form": assign, "themes_form": themes, "close_form": close, "hide_form": hide}
