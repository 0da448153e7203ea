"""Recording Step 3 check-ins, evidence files, Step 4 reflections, new benchmarks and period states.

Every change is recorded in the plan's history (portal.plan.history) with the actor, a
string such as "staff:3" or "cli".
"""

import logging

import peewee

from portal.db import transaction, utcnow
from portal.errors import Conflict
from portal.monitoring import uploads
from portal.plan.history import record_change, snapshot
from portal.plan.models import Benchmark, CheckIn, EvidenceFile, Reflection

logger = logging.getLogger(__name__)

CHECK_IN_FIELDS = ("implemented", "evidence", "actual", "progress_notes", "adjustments_needed")
REFLECTION_FIELDS = (
    "implemented",
    "what_went_wrong",
    "evidence_of_implementation",
    "factors",
    "resources_sufficient",
    "realistic_to_measure",
    "revisit_course_corrections",
    "course_correction",
)
BENCHMARK_FIELDS = ("indicator", "period", "target", "description", "reflection", "superseded_by", "superseded_at")
PERIOD_FIELDS = ("state", "closed_at")

SAVED_AT_ONCE = "Someone else saved this at the same moment, so your answers were not saved. Reload the page and try again."


def file_names(check_in):
    """Return the evidence files of a check-in as "name (file id)" strings, as the history stores them."""
    if check_in is None:
        return []
    return [f"{item.original_name} (file {item.id})" for item in check_in.files.order_by(EvidenceFile.id)]


def save_check_in(actor, indicator, period, values, files=()):
    """Create or update the check-in of an indicator in a period and add evidence files.

    values maps CHECK_IN_FIELDS to new values; files are (name, FileKind, bytes) already
    checked by uploads.check_file. Returns the check-in.
    """
    written = []
    try:
        for name, kind, data in files:
            stored_name = uploads.new_stored_name(kind)
            uploads.write_file(stored_name, data)
            written.append((uploads.clean_filename(name), kind, len(data), stored_name))
        with transaction():
            check_in = CheckIn.get_or_none((CheckIn.indicator == indicator) & (CheckIn.period == period))
            before = {**snapshot(check_in, CHECK_IN_FIELDS), "files": file_names(check_in)} if check_in else {}
            if check_in is None:
                check_in = CheckIn.create(indicator=indicator, period=period, **values)
            else:
                for field, value in values.items():
                    setattr(check_in, field, value)
                check_in.updated_at = utcnow()
                check_in.save()
            for name, kind, size, stored_name in written:
                EvidenceFile.create(
                    check_in=check_in,
                    original_name=name,
                    content_type=kind.content_type,
                    size_bytes=size,
                    stored_name=stored_name,
                )
            after = {**snapshot(check_in, CHECK_IN_FIELDS), "files": file_names(check_in)}
            record_change(actor, check_in, before, after, action="plan.update" if before else "plan.create")
    except peewee.IntegrityError:
        remove_all(written)
        raise Conflict(SAVED_AT_ONCE)
    except BaseException:
        remove_all(written)
        raise
    logger.info(
        "Check-in %s (indicator %s, period %s) saved by %s with %s new file(s)",
        check_in.id,
        indicator.id,
        period.id,
        actor,
        len(written),
    )
    return check_in


def remove_all(written):
    for _name, _kind, _size, stored_name in written:
        uploads.remove_file(stored_name)


def delete_evidence_file(actor, evidence_file):
    """Delete an evidence file from its check-in and from the disk."""
    with transaction():
        check_in = evidence_file.check_in
        before = file_names(check_in)
        evidence_file.delete_instance()
        record_change(actor, check_in, {"files": before}, {"files": file_names(check_in)})
    # Removed only after the commit, so a failed transaction never leaves a row without its file.
    uploads.remove_file(evidence_file.stored_name)
    logger.info("Evidence file %s of check-in %s deleted by %s", evidence_file.id, check_in.id, actor)


def save_reflection(actor, indicator, period, values, new_benchmarks=()):
    """Create or update the reflection of an indicator in a period and set its new benchmarks.

    new_benchmarks is [(later period, target, description)]. Each one that differs from the
    benchmark in force for its period adds a Benchmark row pointing at the reflection, and
    the row it replaces gets superseded_by and superseded_at but keeps its values.
    Returns the reflection.
    """
    try:
        with transaction():
            reflection = Reflection.get_or_none((Reflection.indicator == indicator) & (Reflection.period == period))
            before = snapshot(reflection, REFLECTION_FIELDS) if reflection else {}
            if reflection is None:
                reflection = Reflection.create(indicator=indicator, period=period, **values)
            else:
                for field, value in values.items():
                    setattr(reflection, field, value)
                reflection.recorded_at = utcnow()
                reflection.save()
            after = snapshot(reflection, REFLECTION_FIELDS)
            record_change(actor, reflection, before, after, action="plan.update" if before else "plan.create")
            for later_period, target, description in new_benchmarks:
                revise_benchmark(actor, indicator, later_period, reflection, target, description)
    except peewee.IntegrityError:
        raise Conflict(SAVED_AT_ONCE)
    logger.info("Reflection %s (indicator %s, period %s) saved by %s", reflection.id, indicator.id, period.id, actor)
    return reflection


def benchmark_in_force(indicator, period):
    return Benchmark.get_or_none(
        (Benchmark.indicator == indicator) & (Benchmark.period == period) & Benchmark.superseded_by.is_null()
    )


def revise_benchmark(actor, indicator, period, reflection, target, description):
    """Replace the benchmark in force with a new one set by the reflection; return it, or None if unchanged."""
    replaced = benchmark_in_force(indicator, period)
    if replaced is not None and replaced.target == target and replaced.description == description:
        return None
    revision = Benchmark.create(
        indicator=indicator,
        period=period,
        target=target,
        description=description,
        position=replaced.position if replaced else 0,
        reflection=reflection,
    )
    record_change(actor, revision, {}, snapshot(revision, BENCHMARK_FIELDS), action="plan.create")
    if replaced is not None:
        before = snapshot(replaced, BENCHMARK_FIELDS)
        replaced.superseded_by = revision
        replaced.superseded_at = utcnow()
        replaced.save(only=[Benchmark.superseded_by, Benchmark.superseded_at])
        record_change(actor, replaced, before, snapshot(replaced, BENCHMARK_FIELDS))
    logger.info(
        "Benchmark %s replaces %s for indicator %s, period %s (set by %s)",
        revision.id,
        replaced.id if replaced else None,
        indicator.id,
        period.id,
        actor,
    )
    return revision


def set_period_state(actor, period, state):
    """Open, close or reset a monitoring period; closing stamps closed_at."""
    with transaction():
        before = snapshot(period, PERIOD_FIELDS)
        period.state = state
        period.closed_at = utcnow() if state == "closed" else None
        period.save(only=[type(period).state, type(period).closed_at])
        record_change(actor, period, before, snapshot(period, PERIOD_FIELDS))
    logger.info("Monitoring period %s set to %s by %s", period.id, state, actor)
