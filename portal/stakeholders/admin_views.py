"""Administrators' pages: stakeholder groups, and roster imports in steps (upload, mapping and preview, result).

An uploaded roster waits in the instance folder under a random name until the administrator
who uploaded it imports it or cancels. Uploads older than UPLOAD_LIFETIME are no longer
served, and their files are deleted when any roster import page is next opened.
"""

import contextlib
import dataclasses
import datetime
import fcntl
import json
import logging
import os
import pathlib
import re
import secrets

import peewee as pw
from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from portal.audit.models import AuditEvent
from portal.auth.guards import staff_required
from portal.auth.models import StaffUser
from portal.db import transaction, utcnow
from portal.errors import Conflict, DomainError, render_error
from portal.stakeholders.admin_forms import FIELD_HINTS, GroupLabelsForm, MappingForm, NewGroupForm, RosterUploadForm
from portal.stakeholders.models import Stakeholder, StakeholderGroup
from portal.stakeholders.roster import (
    FIELDS,
    LANGUAGE_NAMES,
    RosterError,
    default_mapping,
    find_header,
    group_names,
    import_table,
    lookup_key,
    mapping_problems,
    read_roster,
    strip_accents,
)
from portal.web import render_page_or_block

logger = logging.getLogger(__name__)

bp = Blueprint("stakeholder_admin", __name__)


def actor():
    return f"staff:{current_user.id}"


def is_htmx():
    return request.headers.get("HX-Request") == "true"


# Stakeholder groups

GROUP_FIELDS = ("key", "label", "plural_label", "label_es", "plural_label_es", "anonymous", "position")


def group_values(group):
    """Return the group's audited values, its Spanish labels included."""
    spanish = json.loads(group.translations or "{}").get("es", {})
    return {
        "key": group.key,
        "label": group.label,
        "plural_label": group.plural_label,
        "label_es": spanish.get("label", ""),
        "plural_label_es": spanish.get("plural_label", ""),
        "anonymous": group.anonymous,
        "position": group.position,
    }


def record_group_change(group, action, before, after):
    """Record an AuditEvent with {field: [old, new]} for the fields that differ, unless none do."""
    changes = {field: [before.get(field), after.get(field)] for field in GROUP_FIELDS if before.get(field) != after.get(field)}
    if changes:
        AuditEvent.record(actor(), action, group, changes=changes)


def groups_with_counts():
    """Return the groups in order, each with .stakeholder_count, in one query."""
    return list(
        StakeholderGroup.select(StakeholderGroup, pw.fn.COUNT(Stakeholder.id).alias("stakeholder_count"))
        .join(Stakeholder, pw.JOIN.LEFT_OUTER)
        .group_by(StakeholderGroup.id)
        .order_by(StakeholderGroup.position, StakeholderGroup.id)
    )


def name_form(text):
    return strip_accents(lookup_key(text))


def check_names_are_free(form, exclude=None):
    """Add an error to each label (and the key of a new group) that another group already goes by.

    Rosters name a group by any of its labels, with case and accents ignored, so a name
    that two groups share would send rows to whichever comes first. Return True when all are free.
    """
    owners = {}
    for group in StakeholderGroup.select().where(StakeholderGroup.id != (exclude.id if exclude else 0)):
        for name in group_names(group):
            owners.setdefault(name_form(name), group)
    fields = [form.label, form.plural_label, form.label_es, form.plural_label_es]
    if isinstance(form, NewGroupForm):
        fields.insert(0, form.key)
    free = True
    for field in fields:
        owner = owners.get(name_form(field.data or ""))
        if field.data and owner is not None:
            field.errors.append(
                f"The group {owner.plural_label} ({owner.key}) already goes by {field.data!r}. Choose another "
                "name, because rosters name groups by their labels and each name must lead to one group."
            )
            free = False
    return free


def apply_labels(group, form):
    group.label = form.label.data
    group.plural_label = form.plural_label.data
    translations = json.loads(group.translations or "{}")
    translations["es"] = {"label": form.label_es.data, "plural_label": form.plural_label_es.data}
    group.translations = json.dumps(translations, ensure_ascii=False, sort_keys=True)
    group.anonymous = form.anonymous.data


def create_group(form):
    """Add a group at the end of the list, or raise Conflict when its key was taken meanwhile."""
    try:
        with transaction():
            last = StakeholderGroup.select(pw.fn.MAX(StakeholderGroup.position)).scalar()
            group = StakeholderGroup(key=form.key.data, position=(last if last is not None else -1) + 1)
            apply_labels(group, form)
            group.save()
            record_group_change(group, "group.created", {}, group_values(group))
    except pw.IntegrityError as error:
        raise Conflict(f"A group with the key {form.key.data!r} was added meanwhile. Choose another key.") from error
    logger.info("Stakeholder group %s (%s) created by %s", group.id, group.key, actor())
    return group


def update_group(group, form):
    with transaction():
        before = group_values(group)
        apply_labels(group, form)
        group.save()
        record_group_change(group, "group.updated", before, group_values(group))
    logger.info("Stakeholder group %s (%s) updated by %s", group.id, group.key, actor())


def move_group(group, direction):
    """Swap the group with its neighbour above or below, numbering every position from 0 again."""
    with transaction():
        ordered = list(StakeholderGroup.select().order_by(StakeholderGroup.position, StakeholderGroup.id))
        index = next(number for number, other in enumerate(ordered) if other.id == group.id)
        target = index - 1 if direction == "up" else index + 1
        if not 0 <= target < len(ordered):
            return False
        ordered[index], ordered[target] = ordered[target], ordered[index]
        for position, other in enumerate(ordered):
            if other.position != position:
                before = group_values(other)
                other.position = position
                other.save()
                record_group_change(other, "group.moved", before, group_values(other))
    logger.info("Stakeholder group %s (%s) moved %s by %s", group.id, group.key, direction, actor())
    return True


def delete_group(group):
    """Delete a group that no stakeholder belongs to, or raise Conflict saying why not and what to do."""
    count = Stakeholder.select().where(Stakeholder.group == group).count()
    if count:
        people = "1 stakeholder belongs" if count == 1 else f"{count} stakeholders belong"
        raise Conflict(
            f"{group.plural_label} was not deleted, because {people} to it and every stakeholder needs a group. "
            "Rename the group instead, or move its stakeholders to another group and then delete it."
        )
    try:
        with transaction():
            before = group_values(group)
            group.delete_instance()
            record_group_change(group, "group.deleted", before, {})
    except pw.IntegrityError as error:
        raise Conflict(f"{group.plural_label} was not deleted, because other records still use it.") from error
    logger.info("Stakeholder group %s (%s) deleted by %s", group.id, group.key, actor())


def load_group(group_id):
    group = StakeholderGroup.get_or_none(StakeholderGroup.id == group_id)
    if group is None:
        abort(404)
    return group


def render_groups(form=None, status=200, error=None, moved=None):
    """Render the groups page, or only its table for htmx."""
    return render_page_or_block(
        "stakeholders/groups.html",
        "groups",
        status=status,
        groups=groups_with_counts(),
        form=form or NewGroupForm(formdata=None),
        error=error,
        moved=moved,
    )


@bp.route("/groups", methods=["GET", "POST"])
@staff_required("admin")
def groups():
    """List the stakeholder groups with their labels and sizes, and add a group."""
    form = NewGroupForm()
    if request.method == "GET":
        return render_groups(form)
    valid = form.validate_on_submit()
    valid = check_names_are_free(form) and valid  # every problem at once, not only the first kind
    if not valid:
        return render_groups(form, status=422)

    group = create_group(form)
    flash(f"Added the group {group.plural_label}.", "success")
    return redirect(url_for("stakeholder_admin.groups"), code=303)


def group_history(group):
    """Return the group's audit events, newest first, each with .changes and .staff (or None)."""
    events = list(
        AuditEvent.select()
        .where((AuditEvent.object_type == "StakeholderGroup") & (AuditEvent.object_id == group.id))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    staff_ids = {int(event.actor.split(":")[1]) for event in events if re.fullmatch(r"staff:\d+", event.actor)}
    staff = {user.id: user for user in StaffUser.select().where(StaffUser.id.in_(staff_ids))} if staff_ids else {}
    for event in events:
        changes = json.loads(event.details).get("changes", {})
        event.lines = [
            (CHANGE_LABELS.get(field, field), change_text(field, old), change_text(field, new))
            for field, (old, new) in changes.items()
        ]
        kind, _, number = event.actor.partition(":")
        event.staff = staff.get(int(number)) if kind == "staff" and number.isdigit() else None
    return events


CHANGE_LABELS = {
    "key": "Key",
    "label": "English label",
    "plural_label": "English plural label",
    "label_es": "Spanish label",
    "plural_label_es": "Spanish plural label",
    "anonymous": "Names never shown",
    "position": "Place in the list",
}


def change_text(field, value):
    """Return a recorded value as the page shows it: places count from 1, and flags read yes or no."""
    if value is None or value == "":
        return "none"
    if field == "position":
        return str(value + 1)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


@bp.route("/groups/<int:group_id>/edit", methods=["GET", "POST"])
@staff_required("admin")
def edit_group(group_id):
    """Edit a group's labels, and hide its stakeholders' names."""
    group = load_group(group_id)
    values = group_values(group)
    form = GroupLabelsForm(data=values) if request.method == "GET" else GroupLabelsForm()
    if request.method == "POST":
        valid = form.validate_on_submit()
        valid = check_names_are_free(form, exclude=group) and valid
        if group.anonymous and not form.anonymous.data:
            form.anonymous.errors = [*form.anonymous.errors, ANONYMOUS_STAYS]
            valid = False
        if valid:
            update_group(group, form)
            flash(f"Saved the group {group.plural_label}.", "success")
            return redirect(url_for("stakeholder_admin.groups"), code=303)

    status = 422 if request.method == "POST" else 200
    count = Stakeholder.select().where(Stakeholder.group == group).count()
    return render_page_or_block(
        "stakeholders/groups_edit.html", "group_form", status=status, group=group, form=form, count=count, history=group_history(group)
    )


ANONYMOUS_STAYS = (
    "The names of this group's stakeholders stay hidden, because they wrote believing that nobody "
    "could see their names. Tick the box again, or add a new group whose names are shown."
)


@bp.route("/groups/<int:group_id>/move", methods=["POST"])
@staff_required("admin")
def move(group_id):
    """Move a group one place up or down the list."""
    group = load_group(group_id)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)

    moved = move_group(group, direction)
    if is_htmx():
        return render_groups(moved=(group.id, direction))
    if moved:
        flash(f"Moved {group.plural_label} {direction}.", "success")
    return redirect(url_for("stakeholder_admin.groups"), code=303)


@bp.route("/groups/<int:group_id>/delete", methods=["POST"])
@staff_required("admin")
def delete(group_id):
    """Delete a group that has no stakeholders."""
    group = load_group(group_id)

    try:
        delete_group(group)
    except Conflict as conflict:
        return render_groups(status=conflict.status, error=conflict.message)
    flash(f"Deleted the group {group.plural_label}.", "success")
    return redirect(url_for("stakeholder_admin.groups"), code=303)


# Uploaded rosters

UPLOAD_FOLDER = "roster-uploads"
UPLOAD_ID = re.compile(r"[A-Za-z0-9_-]{24}")
UPLOAD_LIFETIME = datetime.timedelta(days=1)
# Suffixes that roster.read_roster reads: Excel workbooks, and CSV text under its usual names.
UPLOAD_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm")
# The sample roster takes about 85 bytes a row, so 20,000 stakeholders come to about 1.7 MB.
# ROSTER_UPLOAD_MAX_BYTES overrides this default.
DEFAULT_UPLOAD_MAX_BYTES = 5 * 1024 * 1024
# Room for the multipart envelope and the form's other fields around the file.
MULTIPART_ALLOWANCE = 64 * 1024
PREVIEW_ROWS = 10


class UploadGone(DomainError):
    status = 404


UPLOAD_GONE = UploadGone(
    "This roster upload is no longer available. Uploads are deleted once imported or cancelled, "
    "and after one day. Upload the file again."
)


@dataclasses.dataclass
class Upload:
    """A roster file waiting to be imported, described by a JSON file beside it."""

    id: str
    name: str  # the file name on the administrator's computer
    suffix: str
    staff_id: int
    uploaded_at: str  # ISO 8601, UTC
    result: dict = None  # set by the import, for the result page

    @staticmethod
    def folder():
        return pathlib.Path(current_app.instance_path) / UPLOAD_FOLDER

    @property
    def data_path(self):
        return self.folder() / f"{self.id}{self.suffix}"

    @property
    def lock_path(self):
        return self.folder() / f"{self.id}.lock"

    @property
    def info_path(self):
        return self.folder() / f"{self.id}.json"

    def save_info(self):
        temporary = self.info_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(dataclasses.asdict(self), ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, self.info_path)

    def expired(self):
        uploaded = datetime.datetime.fromisoformat(self.uploaded_at)
        return utcnow() - uploaded > UPLOAD_LIFETIME

    def delete_files(self):
        for path in (self.data_path, self.info_path, self.lock_path):
            path.unlink(missing_ok=True)


@contextlib.contextmanager
def upload_lock(upload_id):
    """Hold an exclusive lock on an upload, across the processes of this machine, for the block.

    NOTE: uploads live in this machine's instance folder, so several app servers need that
    folder shared, or sticky sessions, for an upload to reach the server that imports it.
    """
    if not UPLOAD_ID.fullmatch(upload_id) or not (Upload.folder() / f"{upload_id}.json").exists():
        raise UPLOAD_GONE
    with open(Upload.folder() / f"{upload_id}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def max_upload_bytes():
    return current_app.config.get("ROSTER_UPLOAD_MAX_BYTES", DEFAULT_UPLOAD_MAX_BYTES)


def format_size(size):
    """Return a byte count as the MB or KB figure a file manager shows."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB".replace(".0 MB", " MB")
    return f"{max(1, round(size / 1024))} KB"


def too_large_message(name="The file", size=None):
    actual = f" is {format_size(size)}, which" if size is not None else ""
    return (
        f"{name}{actual} is larger than the limit of {format_size(max_upload_bytes())}. Delete the columns "
        "the import does not use, such as phone numbers, or split the roster into several files, and upload again."
    )


def display_name(filename):
    """Return the last part of the name the browser sent, without any folders."""
    return pathlib.PurePath((filename or "").replace("\\", "/")).name[:200]


def save_upload(storage):
    """Store an uploaded file under a random name and return its Upload, or raise RosterError saying what is wrong.

    storage is the request's FileStorage, which is false when the form came without a file.
    """
    name = display_name(storage.filename) if storage else ""
    suffix = pathlib.PurePath(name).suffix.lower()
    if not name:
        raise RosterError("Choose the roster file to upload.")
    if suffix not in UPLOAD_SUFFIXES and suffix != ".xls":  # read_roster explains what to do with .xls
        raise RosterError(
            f"{name} is not a CSV or Excel file. Export the roster from the spreadsheet or student "
            'information system as "CSV UTF-8" (.csv) or as an Excel workbook (.xlsx), and upload that.'
        )
    upload = Upload(
        id=secrets.token_urlsafe(18),
        name=name,
        suffix=suffix,
        staff_id=current_user.id,
        uploaded_at=utcnow().isoformat(),
    )
    Upload.folder().mkdir(parents=True, exist_ok=True)
    storage.save(upload.data_path)
    size = upload.data_path.stat().st_size
    try:
        if size > max_upload_bytes():
            raise RosterError(too_large_message(name, size))
        # NOTE: a compressed .xlsx file within the limit can hold far more cells than a CSV file
        # of the same size, and read_roster keeps every cell in memory.
        read_roster(upload.data_path, name)
    except RosterError:
        upload.delete_files()
        raise
    upload.save_info()
    logger.info("Roster %s uploaded as %s by %s (%d bytes)", name, upload.id, actor(), size)
    return upload


def load_upload(upload_id):
    """Return the viewer's own upload, or raise UploadGone when it does not exist, is not theirs, or expired."""
    delete_stale_uploads()
    if not UPLOAD_ID.fullmatch(upload_id):
        raise UPLOAD_GONE
    info_path = Upload.folder() / f"{upload_id}.json"
    try:
        upload = Upload(**json.loads(info_path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise UPLOAD_GONE from None
    if upload.staff_id != current_user.id:
        raise UPLOAD_GONE
    if upload.expired():
        upload.delete_files()
        raise UPLOAD_GONE
    return upload


def delete_stale_uploads():
    """Delete the files of uploads older than UPLOAD_LIFETIME, by any administrator.

    NOTE: this runs only when a roster import page is opened, so the files of an abandoned
    upload stay on disk until then, although no page serves them after UPLOAD_LIFETIME.
    """
    folder = Upload.folder()
    if not folder.is_dir():
        return
    cutoff = (datetime.datetime.now() - UPLOAD_LIFETIME).timestamp()
    deleted = 0
    for path in folder.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            deleted += 1
    if deleted:
        logger.info("Deleted %d roster upload files older than %s", deleted, UPLOAD_LIFETIME)


@bp.url_value_preprocessor
def limit_upload_size(endpoint, values):
    # This runs before the app's before_request functions, among them CSRF protection,
    # which is the first to read the form, so the limit applies to that first read.
    if endpoint == "stakeholder_admin.upload_roster":
        request.max_content_length = max_upload_bytes() + MULTIPART_ALLOWANCE


@bp.errorhandler(RequestEntityTooLarge)
def upload_too_large(error):
    # The limit applies before the view checks who is asking, so only administrators see the form.
    if not (current_user.is_authenticated and current_user.role == "admin"):
        return render_error(413)
    logger.info("Rejected a roster upload of %s bytes from %s", request.content_length, actor())
    form = RosterUploadForm(formdata=None)
    form.file.errors = [too_large_message()]
    return render_upload(form, status=413)


def render_upload(form, status=200):
    return render_page_or_block(
        "stakeholders/roster_upload.html",
        "upload",
        status=status,
        form=form,
        limit=format_size(max_upload_bytes()),
        suffixes=UPLOAD_SUFFIXES,
    )


@bp.route("/roster/import", methods=["GET", "POST"])
@staff_required("admin")
def upload_roster():
    """Take a roster file, check that it can be read, and go on to the column mapping."""
    delete_stale_uploads()
    form = RosterUploadForm()
    if request.method == "GET":
        return render_upload(form)
    if not form.validate_on_submit():
        return render_upload(form, status=422)

    try:
        upload = save_upload(request.files.get("file"))
    except RosterError as error:
        logger.info("Rejected a roster upload from %s: %s", actor(), error.message)
        form.file.errors = [error.message]
        return render_upload(form, status=422)
    return redirect(url_for("stakeholder_admin.map_roster", upload_id=upload.id), code=303)


# Mapping, preview and import


def read_upload(upload):
    try:
        return read_roster(upload.data_path, upload.name)
    except RosterError as error:
        # The file was read when it was uploaded, so this means it changed or vanished since.
        logger.warning("Roster upload %s can no longer be read: %s", upload.id, error.message)
        raise UPLOAD_GONE from error


def initial_mapping(table):
    """Return the remembered or guessed mapping, with each header spelt as in this file."""
    mapping = {}
    for field, header in default_mapping(table).items():
        index = find_header(table.headers, header)
        if index is not None:
            mapping[field] = table.headers[index]
    return mapping


def render_mapping(upload, table, form, preview=None, status=200, error=None):
    """Render the mapping page, or only its mapping and preview block for htmx."""
    return render_page_or_block(
        "stakeholders/roster_mapping.html",
        "mapping",
        status=status,
        upload=upload,
        table=table,
        form=form,
        preview=preview,
        preview_rows=preview.taken[:PREVIEW_ROWS] if preview else [],
        groups={group.key: group for group in StakeholderGroup.select()},
        language_name=language_name,
        field_hints=FIELD_HINTS,
        error=error,
        form_errors=[(field.label.text, message) for field in form.roster_fields() for message in field.errors],
    )


def language_name(code):
    names = LANGUAGE_NAMES.get(code)
    return f"{names[0].title()} ({code})" if names else code


@bp.route("/roster/import/<upload_id>", methods=["GET"])
@staff_required("admin")
def map_roster(upload_id):
    """Show which column contains each field, and what the import would do with that mapping.

    The query string carries a mapping the administrator chose. Without one, the remembered
    or guessed mapping is shown, with status 200 even when it does not fit the file.
    """
    upload = load_upload(upload_id)
    if upload.result is not None:
        return redirect(url_for("stakeholder_admin.roster_result", upload_id=upload.id), code=303)
    table = read_upload(upload)

    chosen = any(field in request.args for field in FIELDS)
    if chosen:
        form = MappingForm(request.args, meta={"csrf": False}).fill(table.headers)
    else:
        form = MappingForm(formdata=None, data=initial_mapping(table), meta={"csrf": False}).fill(table.headers)
    fits = form.add_problems(mapping_problems(table, form.mapping()))

    preview = import_table(table, form.mapping(), dry_run=True) if fits else None
    return render_mapping(upload, table, form, preview, status=422 if chosen and not fits else 200)


@bp.route("/roster/import/<upload_id>", methods=["POST"])
@staff_required("admin")
def import_upload(upload_id):
    """Import the uploaded roster with the mapping the preview showed, in one transaction."""
    # A second click of the button waits here for the first import, then finds its result.
    with upload_lock(upload_id):
        upload = load_upload(upload_id)
        if upload.result is not None:
            return redirect(url_for("stakeholder_admin.roster_result", upload_id=upload.id), code=303)
        table = read_upload(upload)
        form = MappingForm().fill(table.headers)
        if not (form.validate_on_submit() and form.add_problems(mapping_problems(table, form.mapping()))):
            return render_mapping(upload, table, form, status=422)

        try:
            result = import_table(table, form.mapping(), actor=actor())
        except RosterError as error:
            return render_mapping(upload, table, form, status=409, error=error.message)
        upload.result = result_record(result)
        upload.save_info()
        upload.data_path.unlink(missing_ok=True)

    flash(f"Imported {upload.name}: {people(len(result.taken))} added.", "success")
    return redirect(url_for("stakeholder_admin.roster_result", upload_id=upload.id), code=303)


def people(count):
    return "1 stakeholder" if count == 1 else f"{count} stakeholders"


def result_record(result):
    """Return what the result page shows of a RosterResult, as JSON-ready values."""
    return {
        "taken": [dataclasses.asdict(row) for row in result.taken],
        "rejected": [dataclasses.asdict(row) for row in result.rejected],
        "unchanged": result.unchanged,
        "imported_at": utcnow().isoformat(),
    }


@bp.route("/roster/import/<upload_id>/cancel", methods=["POST"])
@staff_required("admin")
def cancel_upload(upload_id):
    """Delete an upload without importing it."""
    with upload_lock(upload_id):
        upload = load_upload(upload_id)
        upload.delete_files()

    logger.info("Roster upload %s (%s) cancelled by %s", upload.id, upload.name, actor())
    if upload.result is None:
        flash(f"Deleted the upload of {upload.name}. Nothing was imported.", "success")
    return redirect(url_for("stakeholder_admin.upload_roster"), code=303)


@bp.route("/roster/import/<upload_id>/result")
@staff_required("admin")
def roster_result(upload_id):
    """List the stakeholders an import added and every row it rejected."""
    upload = load_upload(upload_id)
    if upload.result is None:
        return redirect(url_for("stakeholder_admin.map_roster", upload_id=upload.id), code=303)

    return render_page_or_block(
        "stakeholders/roster_result.html",
        "result",
        upload=upload,
        result=upload.result,
        imported_at=datetime.datetime.fromisoformat(upload.result["imported_at"]),
        groups={group.key: group for group in StakeholderGroup.select()},
        language_name=language_name,
    )
