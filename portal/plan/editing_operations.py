"""Changes to the plan's structure made from the editing pages, each recorded in the plan's history."""

import logging

import peewee as pw

from portal.db import transaction
from portal.errors import Conflict
from portal.plan.history import record_change, snapshot
from portal.plan.models import Benchmark, LeadingIndicator, MonitoringPeriod, Person, Plan, Strategy

logger = logging.getLogger(__name__)

# The fields recorded in the history of each kind of item; references are recorded as keys.
RECORDED_FIELDS = {
    Plan: [
        "lea_name",
        "lea_state",
        "lea_schools",
        "lea_students",
        "title",
        "school_years",
        "starts_on",
        "ends_on",
        "time_zone",
        "data_as_of",
        "stakeholder_engagement",
        "technical_assistance",
        "translations",
    ],
    Person: ["key", "name", "title", "email"],
    MonitoringPeriod: ["key", "label", "starts_on", "ends_on", "position", "translations"],
    Strategy: [
        "key",
        "position",
        "name",
        "measures_of_success",
        "person_responsible",
        "long_term_goal",
        "starts_on",
        "ends_on",
        "timing",
        "stakeholder_engagement",
        "course_corrections",
        "summaries",
        "translations",
    ],
    LeadingIndicator: [
        "strategy",
        "key",
        "position",
        "name",
        "unit",
        "direction",
        "baseline_value",
        "baseline_as_of",
        "baseline_source",
        "target_value",
        "target_by",
        "monitoring_frequency",
        "evidence",
        "on_track_when",
        "responsible",
        "translations",
    ],
    Benchmark: ["indicator", "period", "target", "description", "translations"],
}

# Reference fields whose id is replaced by the referenced row's key in the history.
KEYED_REFERENCES = {
    "person_responsible": Person,
    "responsible": Person,
    "period": MonitoringPeriod,
    "strategy": Strategy,
    "indicator": LeadingIndicator,
}

# Links along which a deletion also deletes plan structure, after the admin confirms.
STRUCTURE_LINKS = {("LeadingIndicator", "strategy"), ("Benchmark", "indicator"), ("Benchmark", "period")}

# Links that a deletion changes without losing plan or feedback data, after the admin confirms.
UNLINKED = {("StaffUser", "person"): "staff accounts linked to this person (the accounts stay, unlinked)"}

# Names of the rows that depend on an item, as the confirmation and refusal messages show them.
DEPENDENT_LABELS = {
    ("LeadingIndicator", "strategy"): "leading indicators",
    ("Benchmark", "indicator"): "benchmarks",
    ("Benchmark", "period"): "benchmarks",
    ("Strategy", "person_responsible"): "strategies that name this person as responsible",
    ("LeadingIndicator", "responsible"): "leading indicators that this person monitors",
    ("Thread", "period"): "feedback threads filed under this period",
    ("Benchmark", "superseded_by"): "benchmarks that this one replaced",
    ("Benchmark", "reflection"): "benchmarks set by Step 4 reflections",
    "CheckIn": "Step 3 check-ins",
    "Reflection": "Step 4 reflections",
    "EvidenceFile": "evidence files",
    "Thread": "feedback threads",
    "Comment": "comments",
    "ThreadTheme": "theme tags on threads",
    "PulseAnswer": "stakeholder pulse answers",
    "InputSummary": "frozen summaries of stakeholder input",
    "Campaign": "invitation campaigns",
    "CampaignStrategy": "invitation campaigns limited to this strategy",
    "InvitationStrategy": "invitations limited to this strategy",
}


def describe(item):
    """Return the item's recorded fields as JSON-ready values, with references as keys."""
    values = snapshot(item, RECORDED_FIELDS[type(item)])
    for field, model in KEYED_REFERENCES.items():
        if values.get(field) is not None:
            referenced = model.get_or_none(model.id == values[field])
            values[field] = referenced.key if referenced is not None else values[field]
    return values


def create_plan(actor, values):
    """Create the portal's plan from the details form; reject a second plan."""
    with transaction():
        if Plan.current() is not None:
            raise Conflict("A plan exists already; edit its details instead of creating another.")
        plan = Plan.create(**values)
        record_change(actor, plan, {}, describe(plan), action="plan.create")
    logger.info("Plan %s created by %s", plan.id, actor)
    return plan


def save_item(actor, item, values):
    """Create the item (when it has no id yet) or update it with values, and record the change.

    A new strategy or indicator goes last in its list. Monitoring periods are kept in the
    order of their windows, so saving one renumbers the plan's periods.
    """
    creating = item.id is None
    action = "plan.create" if creating else "plan.update"
    try:
        with transaction():
            before = {} if creating else describe(item)
            for name, value in values.items():
                setattr(item, name, value)
            if creating and isinstance(item, (Strategy, LeadingIndicator)):
                item.position = next_position(item)
            item.save()
            record_change(actor, item, before, describe(item), action=action)
            if isinstance(item, MonitoringPeriod):
                renumber_periods(actor, item.plan_id)
    except pw.IntegrityError as error:
        # The forms check keys first, so only a concurrent save of the same key gets here.
        logger.warning("Rejected saving %s %s by %s: %s", type(item).__name__, item.id, actor, error)
        raise Conflict(f"Another item was saved with the key {values.get('key')!r} at the same time; choose another key.")
    logger.info("%s %s %s by %s", action, type(item).__name__, item.id, actor)
    return item


def siblings(item):
    """Return the query of the items that share a list with a strategy or an indicator."""
    if isinstance(item, Strategy):
        return Strategy.select().where(Strategy.plan == item.plan_id)
    return LeadingIndicator.select().where(LeadingIndicator.strategy == item.strategy_id)


def next_position(item):
    model = type(item)
    highest = siblings(item).select(pw.fn.MAX(model.position)).scalar()
    return 0 if highest is None else highest + 1


def move_item(actor, item, offset):
    """Move a strategy or indicator offset places (-1 up, 1 down) in its list; return True if it moved."""
    model = type(item)
    with transaction():
        ordered = list(siblings(item).order_by(model.position, model.id))
        index = next(i for i, other in enumerate(ordered) if other.id == item.id)
        target = index + offset
        if not 0 <= target < len(ordered):
            return False
        ordered[index], ordered[target] = ordered[target], ordered[index]
        set_positions(actor, ordered)
    logger.info("Moved %s %s to place %s by %s", model.__name__, item.id, target + 1, actor)
    return True


def set_positions(actor, ordered):
    """Number the items 0, 1, 2... in the given order, recording each position that changes."""
    for position, other in enumerate(ordered):
        if other.position != position:
            before = describe(other)
            other.position = position
            other.save(only=[type(other).position])
            record_change(actor, other, before, describe(other))


def renumber_periods(actor, plan_id):
    periods = MonitoringPeriod.select().where(MonitoringPeriod.plan == plan_id).order_by(MonitoringPeriod.starts_on, MonitoringPeriod.id)
    set_positions(actor, list(periods))


def label_of(fk):
    link = (fk.model.__name__, fk.name)
    return DEPENDENT_LABELS.get(link) or UNLINKED.get(link) or DEPENDENT_LABELS.get(fk.model.__name__) or f"rows of {fk.model._meta.table_name}"


def dependents(item):
    """Return (confirm, blocking): {label: count} of rows a deletion of the item would touch.

    confirm lists plan structure that is deleted along with the item (a strategy's indicators
    and their benchmarks) and links that are only cleared. blocking lists everything else,
    such as check-ins, reflections and feedback threads, which a deletion would lose.
    """
    confirm, blocking = {}, {}
    for condition, fk in item.dependencies(search_nullable=True, exclude_null_children=True):
        count = fk.model.select().where(condition).count()
        if not count:
            continue
        link = (fk.model.__name__, fk.name)
        found = confirm if link in STRUCTURE_LINKS or link in UNLINKED else blocking
        label = label_of(fk)
        found[label] = found.get(label, 0) + count
    return confirm, blocking


def delete_item(actor, item, what):
    """Delete the item and the plan structure under it, recording each deletion.

    Raises Conflict, and deletes nothing, when other data depends on the item. what names
    the item in that message, such as "monitoring period".
    """
    model = type(item)
    with transaction():
        _confirm, blocking = dependents(item)
        if blocking:
            raise Conflict(refusal(what, blocking))
        # dependencies() lists the deepest rows first, so benchmarks go before their indicators.
        for condition, fk in item.dependencies(search_nullable=True, exclude_null_children=True):
            if (fk.model.__name__, fk.name) not in STRUCTURE_LINKS:
                continue
            for row in fk.model.select().where(condition):
                record_change(actor, row, describe(row), {}, action="plan.delete")
                row.delete_instance()
        record_change(actor, item, describe(item), {}, action="plan.delete")
        item.delete_instance()
        if isinstance(item, MonitoringPeriod):
            renumber_periods(actor, item.plan_id)
    logger.info("Deleted %s %s by %s", model.__name__, item.id, actor)


def refusal(what, blocking):
    """Return the message explaining why an item (what: "strategy", ...) cannot be deleted."""
    counted = "; ".join(f"{label}: {count}" for label, count in blocking.items())
    return (
        f"This {what} cannot be deleted because these records depend on it: {counted}. "
        "Deleting it would lose them. Change or remove those records first, or keep this item."
    )
