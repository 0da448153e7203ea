"""Administrators' roster page: find a stakeholder, take them off the roster or put them back.

Taking someone off the roster revokes their links and keeps them out of every later
campaign and out of "ask for a new link", while their comments stay in the threads and
summaries. The routes join the stakeholder_admin blueprint.
"""

import logging

import peewee as pw
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.auth.guards import staff_required
from portal.db import is_sqlite
from portal.feedback.models import Thread
from portal.stakeholders import campaigns
from portal.stakeholders.admin_views import bp
from portal.stakeholders.models import Invitation, Stakeholder, StakeholderGroup

logger = logging.getLogger(__name__)

ROSTER_PAGE_SIZE = 50
ROSTER_STATES = {"active": "On the roster", "removed": "Taken off the roster", "all": "Everyone"}


def roster_filters(args, groups):
    """Return ({q, group, state, page}, {field: error}) from the query string."""
    errors = {}
    query = args.get("q", "").strip()
    group = args.get("group", "")
    if group and group not in groups:
        errors["group"] = f"{group!r} is not a stakeholder group. Choose a group from the list, or all groups."
        group = ""
    state = args.get("state", "active")
    if state not in ROSTER_STATES:
        errors["state"] = f"{state!r} is not a roster state. Choose on the roster, taken off the roster, or everyone."
        state = "active"
    page = args.get("page", "1")
    if not (page.isdigit() and int(page) > 0):
        errors["page"] = f"{page!r} is not a page number. Use a whole number from 1."
        page = "1"
    return {"q": query, "group": group, "state": state, "page": int(page)}, errors


@bp.route("/roster")
@staff_required("admin")
def roster():
    """List the stakeholders on the roster, with a search by email or name and filters."""
    groups = {group.key: group for group in StakeholderGroup.select().order_by(StakeholderGroup.position)}
    filters, errors = roster_filters(request.args, groups)

    people = Stakeholder.select(Stakeholder, StakeholderGroup).join(StakeholderGroup)
    if filters["q"]:
        # A name is searched only where staff may see it, or the search would confirm a guess.
        named = (StakeholderGroup.anonymous == False) & (Stakeholder.show_name_to_staff == True)  # noqa: E712
        people = people.where(contains(Stakeholder.email, filters["q"]) | (named & contains(Stakeholder.name, filters["q"])))
    if filters["group"]:
        people = people.where(StakeholderGroup.key == filters["group"])
    if filters["state"] == "active":
        people = people.where(Stakeholder.removed_at.is_null())
    elif filters["state"] == "removed":
        people = people.where(Stakeholder.removed_at.is_null(False))

    total = people.count()
    pages = max(1, -(-total // ROSTER_PAGE_SIZE))
    page = min(filters["page"], pages)
    listed = list(people.order_by(Stakeholder.email).paginate(page, ROSTER_PAGE_SIZE))

    return (
        render_template(
            "stakeholders/roster.html",
            people=listed,
            total=total,
            page=page,
            pages=pages,
            filters=filters,
            errors=errors,
            groups=groups,
            states=ROSTER_STATES,
        ),
        422 if errors else 200,
    )


def contains(field, text):
    """Return an expression true where the field contains text, ignoring case; % and _ match only themselves."""
    position = pw.fn.INSTR if is_sqlite() else pw.fn.STRPOS
    return position(pw.fn.LOWER(field), text.lower()) > 0


def load_stakeholder(stakeholder_id):
    return Stakeholder.get_or_none(Stakeholder.id == stakeholder_id) or abort(404)


@bp.route("/roster/<int:stakeholder_id>/remove", methods=["GET", "POST"])
@staff_required("admin")
def remove_stakeholder(stakeholder_id):
    """Ask to confirm, then take the stakeholder off the roster."""
    person = load_stakeholder(stakeholder_id)
    if person.removed_at is not None:
        flash(f"{person.email} is already off the roster.", "info")
        return redirect(url_for("stakeholder_admin.roster", state="removed"), code=303)
    if request.method == "GET":
        usable_links = Invitation.select().where(
            (Invitation.stakeholder == person) & Invitation.revoked_at.is_null() & Invitation.replaced_at.is_null()
        )
        return render_template(
            "stakeholders/roster_remove.html",
            person=person,
            links=usable_links.count(),
            threads=Thread.select().where(Thread.stakeholder == person).count(),
        )
    revoked = campaigns.remove_from_roster(person, current_user._get_current_object())
    links = "1 link" if revoked == 1 else f"{revoked} links"
    flash(f"{person.email} is off the roster, and {links} of theirs stopped working. Their comments stay.", "success")
    return redirect(url_for("stakeholder_admin.roster"), code=303)


@bp.route("/roster/<int:stakeholder_id>/restore", methods=["POST"])
@staff_required("admin")
def restore_stakeholder(stakeholder_id):
    """Put a stakeholder back on the roster."""
    person = load_stakeholder(stakeholder_id)
    if person.removed_at is None:
        flash(f"{person.email} is already on the roster.", "info")
    else:
        campaigns.restore_to_roster(person, current_user._get_current_object())
        flash(
            f"{person.email} is back on the roster. To send them a link now, send a current campaign again: "
            "it invites everyone in its audience who holds no working link.",
            "success",
        )
    return redirect(url_for("stakeholder_admin.roster", state="removed"), code=303)
