"""Showing monitoring data in pages: history entries, links in evidence text, revised benchmarks."""

import re

from markupsafe import Markup, escape
from peewee import JOIN

from portal.auth.models import StaffUser
from portal.monitoring.forms import CHECK_IN_QUESTIONS, REFLECTION_QUESTIONS
from portal.plan.history import history_of
from portal.plan.models import Benchmark, Reflection

COMMON_LABELS = {
    "files": "Evidence files",
    "actual": "Actual value",
    "target": "Benchmark",
    "description": "Benchmark description",
    "superseded_by": "Replaced by benchmark",
    "superseded_at": "Replaced at",
}
CHECK_IN_LABELS = {**CHECK_IN_QUESTIONS, **COMMON_LABELS}
REFLECTION_LABELS = {**REFLECTION_QUESTIONS, **COMMON_LABELS}


def history_entries(item, labels):
    """Return the item's recorded changes, newest first, with staff actors named and fields labelled."""
    if item is None:
        return []
    events = history_of(item)
    staff_ids = {int(event.actor.split(":")[1]) for event in events if event.actor.startswith("staff:")}
    names = {user.id: user.display_name for user in StaffUser.select().where(StaffUser.id.in_(staff_ids or [-1]))}
    for event in events:
        kind, _, number = event.actor.partition(":")
        if kind == "staff":
            event.actor_name = names.get(int(number), event.actor)
        else:
            event.actor_name = "command line" if event.actor == "cli" else event.actor
        event.labelled = [(labels.get(field, field), old, new) for field, (old, new) in event.changes.items()]
    return events


def show_value(value):
    """Return a value from the history as text: lists joined, booleans as Yes and No, None as blank."""
    if isinstance(value, list):
        return ", ".join(value) or "none"
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    return "" if value is None else str(value)


def revision_notes(progress):
    """Return {replaced benchmark id: (superseded_at, reason)} for a strategy page, in one query."""
    replaced = [old for row in progress.rows for cell in row.cells for old in cell.replaced]
    ids = [old.superseded_by_id for old in replaced]
    if not ids:
        return {}
    revisions = {
        benchmark.id: benchmark
        for benchmark in Benchmark.select(Benchmark, Reflection)
        .join(Reflection, JOIN.LEFT_OUTER)
        .where(Benchmark.id.in_(ids))
    }
    notes = {}
    for old in replaced:
        revision = revisions.get(old.superseded_by_id)
        reflection = revision.reflection if revision and revision.reflection_id else None
        notes[old.id] = (old.superseded_at, reflection.course_correction if reflection else "")
    return notes


# Links in evidence text: http and https addresses only, up to the next space or angle bracket.
LINK = re.compile(r"https?://[^\s<>\"']+")


def linkify(text):
    """Return the text escaped, with each http or https address made a link."""
    pieces = []
    position = 0
    for match in LINK.finditer(text or ""):
        address = match.group(0).rstrip(".,;:)")
        pieces.append(escape(text[position : match.start()]))
        pieces.append(Markup('<a href="{0}" rel="noopener noreferrer">{0}</a>').format(address))
        position = match.start() + len(address)
    pieces.append(escape((text or "")[position:]))
    return Markup("").join(pieces)


def register(blueprint):
    """Register the template global and filters that the monitoring and strategy pages use."""
    blueprint.add_app_template_global(revision_notes)
    blueprint.add_app_template_filter(linkify, "linkify")
    blueprint.add_app_template_filter(show_value, "monitoring_value")
