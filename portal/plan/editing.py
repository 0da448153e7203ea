"""Staff pages on which administrators build and correct the plan's structure, with its history.

Every kind of item (the plan's details, people, monitoring periods, strategies, leading
indicators, benchmarks) gets the same routes from one set of views: show, edit form,
update, delete (a confirmation page, then POST), history, and create under its parent.
With htmx an edit form replaces the item in place and saving swaps the item back; without
JavaScript the same forms post and redirect (303). Invalid input returns status 422 with
the form, what was typed, and the errors beside each field.
"""

import functools
import json

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user
from peewee import JOIN

from portal.auth.guards import staff_required
from portal.auth.models import StaffUser
from portal.errors import Conflict
from portal.plan import editing_operations as operations
from portal.plan.editing_forms import (
    BenchmarkForm,
    ConfirmForm,
    IndicatorForm,
    PeriodForm,
    PersonForm,
    PlanForm,
    StrategyForm,
)
from portal.plan.history import history_of
from portal.plan.models import Benchmark, LeadingIndicator, MonitoringPeriod, Person, Plan, Strategy
from portal.web import render_page_or_block

bp = Blueprint("editing", __name__, url_prefix="/plan")

admin_required = staff_required("admin")


def is_htmx():
    return request.headers.get("HX-Request") == "true"


def actor():
    return f"staff:{current_user.id}"


def current_plan():
    plan = Plan.current()
    if plan is None:
        abort(404)
    return plan


def measure(value, unit):
    """Format a stored value of an indicator for reading, such as "76.3%" or "12 hours"."""
    if value is None:
        return "not set"
    if unit == "percent":
        return f"{value:g}%"
    if unit == "hours":
        return f"{value:g} hours"
    return f"{value:g}"


def span(starts_on, ends_on):
    if not (starts_on or ends_on):
        return "not set"
    return f"{starts_on or 'not set'} to {ends_on or 'not set'}"


def person_name(person):
    return person.name if person is not None else "Nobody yet"


class Kind:
    """One kind of plan item: its model, form, URLs, how it reads, and where it is shown."""

    def __init__(self, name, plural, label, model, form, parent=None, movable=False, heading=None):
        self.name = name  # element ids and endpoint names: "person-3", "editing.edit_person"
        self.plural = plural  # URL segment: /plan/people/3
        self.label = label  # in messages: "Added person ..."
        self.model = model
        self.form = form
        self.parent = parent  # the kind name an item is created under, if any
        self.movable = movable
        self.heading = heading  # the heading element of the item's title, or None for bold text

    def url(self, action, item=None, **values):
        if self.name == "plan":
            return url_for(f"editing.{action}_plan", **values)
        return url_for(f"editing.{action}_{self.name}", item_id=item.id, **values)

    def element_id(self, item):
        return "plan-details" if self.name == "plan" else f"{self.name}-{item.id}"

    def plan_id(self, item):
        if isinstance(item, LeadingIndicator):
            return item.strategy.plan_id
        if isinstance(item, Benchmark):
            return item.indicator.strategy.plan_id
        return item.id if isinstance(item, Plan) else item.plan_id

    def parent_of(self, item):
        return {"indicator": lambda: item.strategy, "benchmark": lambda: item.indicator}.get(self.name, lambda: None)()

    def strategy_of(self, item):
        """Return the strategy whose editing page shows the item, or None for the plan page."""
        if isinstance(item, Strategy):
            return item
        if isinstance(item, LeadingIndicator):
            return item.strategy
        if isinstance(item, Benchmark):
            return item.indicator.strategy
        return None

    def page_url(self, item):
        """Return the address of the editing page that lists the item, at the item."""
        strategy = self.strategy_of(item)
        if strategy is None:
            return url_for("editing.plan_page", _anchor=self.element_id(item))
        if strategy is item:
            return url_for("editing.show_strategy", item_id=item.id)
        return url_for("editing.show_strategy", item_id=strategy.id, _anchor=self.element_id(item))

    def title(self, item):
        titles = {
            "plan": lambda: item.title,
            "person": lambda: item.name,
            "period": lambda: item.label,
            "benchmark": lambda: f"{item.period.label}: {measure(item.target, item.indicator.unit)}",
        }
        return titles.get(self.name, lambda: item.name)()

    def summary(self, item):
        """Return the item's fields as (label, text) pairs for reading."""
        return SUMMARIES[self.name](item)


SUMMARIES = {
    "plan": lambda plan: [
        ("District (LEA)", f"{plan.lea_name}{', ' + plan.lea_state if plan.lea_state else ''}"),
        ("Schools and students", f"{plan.lea_schools or 'not set'} schools, {plan.lea_students or 'not set'} students"),
        ("School years", plan.school_years),
        ("Plan dates", span(plan.starts_on, plan.ends_on)),
        ("Time zone", plan.time_zone),
        ("Monitoring data entered up to", plan.data_as_of or "not set"),
        ("How stakeholders stay engaged", plan.stakeholder_engagement),
        ("Technical assistance requested", plan.technical_assistance),
    ],
    "person": lambda person: [("Key", person.key), ("Job title", person.title), ("Email", person.email)],
    "period": lambda period: [("Key", period.key), ("Window", span(period.starts_on, period.ends_on))],
    "strategy": lambda strategy: [
        ("Key", strategy.key),
        ("Measures of success", strategy.measures_of_success),
        ("Person responsible", person_name(strategy.person_responsible)),
        ("Long-term goal", strategy.long_term_goal),
        ("Work", span(strategy.starts_on, strategy.ends_on)),
        ("Timing", strategy.timing),
        ("Stakeholder engagement", strategy.stakeholder_engagement),
        ("Planned course corrections", strategy.course_corrections),
        ("Summary for families, English", strategy.summary_in("en")),
        ("Summary for families, Spanish", json.loads(strategy.summaries or "{}").get("es", "")),
    ],
    "indicator": lambda indicator: [
        ("Key", indicator.key),
        ("Unit and direction", f"{indicator.unit}, {indicator.direction}s as it improves"),
        (
            "Baseline",
            f"{measure(indicator.baseline_value, indicator.unit)} as of {indicator.baseline_as_of or 'not set'}"
            + (f" ({indicator.baseline_source})" if indicator.baseline_source else ""),
        ),
        ("Long-term target", f"{measure(indicator.target_value, indicator.unit)} by {indicator.target_by or 'not set'}"),
        ("Monitoring frequency", indicator.monitoring_frequency),
        ("Evidence collected", indicator.evidence),
        ("On track when", indicator.on_track_when),
        ("Who monitors it", person_name(indicator.responsible)),
    ],
    "benchmark": lambda benchmark: [
        ("What the benchmark means", benchmark.description),
        *([("Revised", "A Step 4 reflection has since set a new benchmark for this period.")] if benchmark.superseded_by_id else []),
    ],
}

KINDS = {
    "plan": Kind("plan", None, "plan details", Plan, PlanForm),
    "person": Kind("person", "people", "person", Person, PersonForm),
    "period": Kind("period", "periods", "monitoring period", MonitoringPeriod, PeriodForm),
    "strategy": Kind("strategy", "strategies", "strategy", Strategy, StrategyForm, movable=True, heading="h2"),
    "indicator": Kind("indicator", "indicators", "leading indicator", LeadingIndicator, IndicatorForm, parent="strategy", movable=True, heading="h3"),
    "benchmark": Kind("benchmark", "benchmarks", "benchmark", Benchmark, BenchmarkForm, parent="indicator"),
}


def load_item(kind, item_id):
    """Return the current plan's item of this kind and id (the plan itself for "plan"), or 404."""
    plan = current_plan()
    if kind.name == "plan":
        return plan
    item = kind.model.get_or_none(kind.model.id == item_id)
    if item is None or kind.plan_id(item) != plan.id:
        abort(404)
    return item


def build_form(kind, plan, item=None, parent=None, form_id=None, **extra):
    """Build the kind's form (bound to the request on POST) with element ids unique on the page."""
    if kind.name == "plan":
        form = kind.form(plan=item, item=item, **extra)
    else:
        form = kind.form(plan=plan, item=item, parent=parent, **extra)
    form.form_id = form_id or (kind.element_id(item) if item is not None else new_form_id(kind, parent))
    for field in form:
        field.id = f"{form.form_id}-{field.name}"
        field.label.field_id = field.id
    return form


def new_form_id(kind, parent):
    return f"{kind.name}-new" if parent is None else f"{kind.name}-new-{parent.id}"


def fresh_form(kind, plan, parent=None, **extra):
    """Return an empty form for adding an item, not bound to the request."""
    return build_form(kind, plan, parent=parent, formdata=None, **extra)


# The plan page: details, people, periods and the ordered strategies.


def render_plan_page(plan, block="content", status=200, failed=None):
    """Render the plan's editing page; failed is an add form that did not validate."""
    people = list(Person.select().where(Person.plan == plan).order_by(Person.name))
    periods = list(MonitoringPeriod.select().where(MonitoringPeriod.plan == plan).order_by(MonitoringPeriod.position))
    strategies = list(
        Strategy.select(Strategy, Person)
        .join(Person, JOIN.LEFT_OUTER)
        .where(Strategy.plan == plan)
        .order_by(Strategy.position, Strategy.id)
    )
    forms = {name: fresh_form(KINDS[name], plan) for name in ("person", "period", "strategy")}
    if failed is not None:
        forms[failed.kind_name] = failed
    return render_page_or_block(
        "plan/edit/plan.html",
        block,
        status,
        plan=plan,
        people=people,
        periods=periods,
        strategies=strategies,
        forms=forms,
        kinds=KINDS,
        failed_form=failed,
    )


@bp.route("/edit")
@admin_required
def plan_page():
    """Show the plan's editing page, or the form that creates the plan when there is none."""
    plan = Plan.current()
    if plan is None:
        return render_create_page(fresh_form(KINDS["plan"], None, form_id="plan-new"))
    return render_plan_page(plan)


def render_create_page(form, status=200):
    return render_page_or_block(
        "plan/edit/form.html",
        "item_form",
        status,
        form=form,
        heading="Create the plan",
        action=url_for("editing.create_plan"),
        submit="Create the plan",
        cancel_url=None,
        failed_form=form if form.errors else None,
    )


@bp.route("/create", methods=["POST"])
@admin_required
def create_plan():
    """Create the plan from its details; people, periods and strategies are added next."""
    if Plan.current() is not None:
        raise Conflict("A plan exists already; edit its details on the plan's editing page instead.")
    form = build_form(KINDS["plan"], None, form_id="plan-new")
    if not form.validate_on_submit():
        return render_create_page(form, status=422)

    operations.create_plan(actor(), form.values())
    flash("Plan created. Add the people responsible, the monitoring periods and the strategies next.", "success")
    if is_htmx():
        # The form stood alone on its page, so the whole editing page replaces it.
        return "", 200, {"HX-Redirect": url_for("editing.plan_page")}
    return redirect(url_for("editing.plan_page"), code=303)


# The strategy page: its details, leading indicators and their benchmarks.


def render_strategy_page(strategy, block="content", status=200, failed=None):
    """Render the strategy's editing page; failed is an add form that did not validate."""
    plan = Plan.get_by_id(strategy.plan_id)
    indicators = list(
        LeadingIndicator.select(LeadingIndicator, Person)
        .join(Person, JOIN.LEFT_OUTER)
        .where(LeadingIndicator.strategy == strategy)
        .order_by(LeadingIndicator.position, LeadingIndicator.id)
    )
    benchmarks = {indicator.id: [] for indicator in indicators}
    rows = (
        Benchmark.select(Benchmark, MonitoringPeriod)
        .join(MonitoringPeriod)
        .where(Benchmark.indicator.in_(list(benchmarks)) & Benchmark.reflection.is_null())
        .order_by(MonitoringPeriod.position)
    )
    by_id = {indicator.id: indicator for indicator in indicators}
    for benchmark in rows:
        benchmark.indicator = by_id[benchmark.indicator_id]
        benchmarks[benchmark.indicator_id].append(benchmark)

    periods = list(MonitoringPeriod.select().where(MonitoringPeriod.plan == plan).order_by(MonitoringPeriod.position))
    forms = {"indicator": fresh_form(KINDS["indicator"], plan, parent=strategy)}
    for indicator in indicators:
        forms[f"benchmark-{indicator.id}"] = fresh_form(KINDS["benchmark"], plan, parent=indicator, periods=periods)
    if failed is not None:
        forms[failed.form_key] = failed
    return render_page_or_block(
        "plan/edit/strategy.html",
        block,
        status,
        plan=plan,
        strategy=strategy,
        item=strategy,
        kind=KINDS["strategy"],
        indicators=indicators,
        benchmarks=benchmarks,
        forms=forms,
        kinds=KINDS,
        failed_form=failed,
    )


def render_section(kind, plan, parent, status=200, failed=None):
    """Render the section that lists items of this kind, for htmx or after a failed add."""
    if failed is not None:
        failed.kind_name = kind.name
        failed.form_key = kind.name if kind.name != "benchmark" else f"benchmark-{parent.id}"
    if kind.name in ("person", "period", "strategy"):
        return render_plan_page(plan, block=kind.plural, status=status, failed=failed)
    strategy = parent if kind.name == "indicator" else parent.strategy
    return render_strategy_page(strategy, block="indicators", status=status, failed=failed)


def render_item(kind, item):
    """Render one item as it reads on its page; htmx swaps it in place of its form."""
    if kind.name == "plan":
        return render_plan_page(item, block="plan_details")
    if kind.name == "strategy":
        return render_strategy_page(item, block="item")
    return render_page_or_block("plan/edit/item.html", "item", item=item, kind=kind, page_url=kind.page_url(item))


def render_form(kind, item, form, status=200):
    return render_page_or_block(
        "plan/edit/form.html",
        "item_form",
        status,
        form=form,
        kind=kind,
        item=item,
        heading=f"Edit the {kind.label}",
        action=kind.url("update", item),
        submit="Save",
        cancel_url=kind.url("show", item),
        page_url=kind.page_url(item),
        failed_form=form if form.errors else None,
    )


# The views every kind shares; register_kind() gives each kind its own routes.


def create_view(kind, parent_id=None):
    """Add an item of this kind to the plan, or under its parent."""
    plan = current_plan()
    parent = load_item(KINDS[kind.parent], parent_id) if kind.parent else None
    form = build_form(kind, plan, parent=parent)
    if not form.validate_on_submit():
        return render_section(kind, plan, parent, status=422, failed=form)

    owner = {"strategy": {"strategy": parent}, "indicator": {"indicator": parent}}.get(kind.parent, {"plan": plan})
    item = operations.save_item(actor(), kind.model(**owner), form.values())
    flash(f"Added the {kind.label} {kind.title(item)!r}.", "success")
    if is_htmx():
        return with_person_choices(kind, plan, render_section(kind, plan, parent))
    return redirect(kind.page_url(item), code=303)


def with_person_choices(kind, plan, response):
    """Add the add-strategy form's refreshed list of people to an htmx response that changed a person.

    The list is swapped out of band, so whatever was typed into that form stays.
    """
    if kind.name != "person":
        return response
    body, status, headers = response
    select = fresh_form(KINDS["strategy"], plan).person_responsible_id
    return body + str(select(class_="usa-select", **{"hx-swap-oob": "true"})), status, headers


def show_view(kind, item_id=None):
    """Show one item; htmx uses it to put the item back when an edit is cancelled."""
    return render_item(kind, load_item(kind, item_id))


def edit_view(kind, item_id=None):
    """Show the form that edits one item: in place with htmx, as its own page without."""
    item = load_item(kind, item_id)
    form = build_form(kind, current_plan(), item=item, parent=kind.parent_of(item))
    return render_form(kind, item, form)


def update_view(kind, item_id=None):
    """Save the edited item, or show the form again with the errors beside the fields."""
    item = load_item(kind, item_id)
    form = build_form(kind, current_plan(), item=item, parent=kind.parent_of(item))
    if not form.validate_on_submit():
        return render_form(kind, item, form, status=422)

    operations.save_item(actor(), item, form.values())
    flash(f"Saved the {kind.label} {kind.title(item)!r}.", "success")
    if is_htmx():
        return with_person_choices(kind, current_plan(), render_item(kind, item))
    return redirect(kind.page_url(item), code=303)


def delete_view(kind, item_id=None):
    """Ask before deleting an item, listing what goes with it; refuse when data depends on it."""
    item = load_item(kind, item_id)
    confirm, blocking = operations.dependents(item)
    form = ConfirmForm()
    if request.method == "POST" and not blocking and form.validate_on_submit():
        back = back_url(kind, item)
        operations.delete_item(actor(), item, kind.label)
        flash(f"Deleted the {kind.label} {kind.title(item)!r}.", "success")
        return redirect(back, code=303)

    status = 409 if request.method == "POST" else 200
    return render_page_or_block(
        "plan/edit/delete.html",
        "content",
        status,
        item=item,
        kind=kind,
        form=form,
        confirm=confirm,
        blocking=blocking,
        refusal=operations.refusal(kind.label, blocking) if blocking else None,
        page_url=kind.page_url(item),
    )


def back_url(kind, item):
    """Return where to go after deleting the item: the page that listed it."""
    strategy = kind.strategy_of(item)
    if strategy is None or strategy is item:
        return url_for("editing.plan_page", _anchor=kind.plural)
    return url_for("editing.show_strategy", item_id=strategy.id, _anchor="indicators")


def move_view(kind, item_id=None):
    """Move a strategy or an indicator one place up or down its list."""
    item = load_item(kind, item_id)
    offsets = {"up": -1, "down": 1}
    if not ConfirmForm().validate_on_submit() or request.form.get("direction") not in offsets:
        abort(400)

    if operations.move_item(actor(), item, offsets[request.form["direction"]]):
        flash(f"Moved the {kind.label} {kind.title(item)!r} {request.form['direction']}.", "success")
    return redirect(kind.page_url(item), code=303)


def history_view(kind, item_id=None):
    """Show who changed which fields of an item, when, from what to what, newest first."""
    plan = current_plan()
    item = plan if kind.name == "plan" else kind.model.get_or_none(kind.model.id == item_id)
    if item is not None and kind.plan_id(item) != plan.id:
        abort(404)
    events = history_of(item if item is not None else kind.model(id=item_id))
    if item is None and not events:
        abort(404)

    staff_ids = [int(event.actor.split(":")[1]) for event in events if event.actor.startswith("staff:")]
    staff = {user.id: user for user in StaffUser.select().where(StaffUser.id.in_(staff_ids))} if staff_ids else {}
    return render_page_or_block(
        "plan/edit/history.html",
        "content",
        item=item,
        item_id=item_id,
        kind=kind,
        events=events,
        actor_name=functools.partial(actor_name, staff),
        field_label=functools.partial(field_label, kind),
        history_value=history_value,
        page_url=kind.page_url(item) if item is not None and current_user.role == "admin" else None,
    )


def actor_name(staff, actor_text):
    if actor_text.startswith("staff:"):
        user = staff.get(int(actor_text.split(":")[1]))
        return user.display_name if user is not None else f"a removed staff account ({actor_text})"
    return {"cli": "the command line", "import": "the plan import"}.get(actor_text, actor_text)


def history_value(name, value):
    """Return a recorded value as text; the JSON of summaries and translations reads as "language, field: text" parts."""
    if value is None:
        return "none"
    if name in ("summaries", "translations") and isinstance(value, str):
        by_language = json.loads(value or "{}")
        if not by_language:
            return "none"
        if name == "summaries":
            return "; ".join(f"{language}: {text}" for language, text in by_language.items())
        return "; ".join(
            f"{language}, {field.replace('_', ' ')}: {text}" for language, texts in by_language.items() for field, text in texts.items()
        )
    return value


def field_label(kind, name):
    """Return the form's label for a recorded field, such as "Person responsible"."""
    if name == "summaries":
        return "Plain-language summaries for families (by language)"
    if name == "translations":
        return "Translations (by language, then field)"
    unbound = getattr(kind.form, name, None) or getattr(kind.form, f"{name}_id", None)
    if unbound is not None and getattr(unbound, "args", None):
        return unbound.args[0]
    return name.replace("_", " ").capitalize()


def register_kind(kind):
    """Add the routes of one kind of item to the blueprint."""
    if kind.name == "plan":
        base, create_rule = "/details", None
    else:
        base = f"/{kind.plural}/<int:item_id>"
        parent = KINDS[kind.parent] if kind.parent else None
        create_rule = f"/{parent.plural}/<int:parent_id>/{kind.plural}" if parent else f"/{kind.plural}"

    def add(rule, action, view, methods=("GET",), guard=admin_required):
        bp.add_url_rule(rule, f"{action}_{kind.name}", guard(functools.partial(view, kind)), methods=list(methods))

    add(base, "show", show_view)
    add(f"{base}/edit", "edit", edit_view)
    add(base, "update", update_view, methods=("POST",))
    add("/history" if kind.name == "plan" else f"{base}/history", "history", history_view, guard=staff_required())
    if create_rule:
        add(create_rule, "create", create_view, methods=("POST",))
        add(f"{base}/delete", "delete", delete_view, methods=("GET", "POST"))
    if kind.movable:
        add(f"{base}/move", "move", move_view, methods=("POST",))


for _kind in KINDS.values():
    register_kind(_kind)
