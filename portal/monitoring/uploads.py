"""Evidence files: which kinds are accepted, checking a file's content, and where files are kept.

A file is accepted only when its extension is on the list below and its first bytes (or, for
Word and Excel files, the parts inside the zip archive) show that it is that kind of file.
Files are stored under a random name in a folder outside static/, and are sent back only as
downloads with the content type of the kind that was checked, never the one the browser sent.
"""

import csv
import dataclasses
import io
import os
import secrets
import unicodedata
import zipfile

from flask import current_app


@dataclasses.dataclass(frozen=True)
class FileKind:
    name: str
    extensions: tuple
    content_type: str

    @property
    def with_article(self):
        return f"{'an' if self.name[0] in 'AEIOU' else 'a'} {self.name}"


PDF = FileKind("PDF", (".pdf",), "application/pdf")
DOCX = FileKind("Word document", (".docx",), "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = FileKind("Excel workbook", (".xlsx",), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
CSV = FileKind("CSV file", (".csv",), "text/csv")
PNG = FileKind("PNG image", (".png",), "image/png")
JPEG = FileKind("JPEG image", (".jpg", ".jpeg"), "image/jpeg")
KINDS = (PDF, DOCX, XLSX, CSV, PNG, JPEG)
KIND_BY_EXTENSION = {extension: kind for kind in KINDS for extension in kind.extensions}

ACCEPTED = "a PDF, a Word document (.docx), an Excel workbook (.xlsx), a CSV file, or a PNG or JPEG image"
# The accept attribute of the file input; the server checks again whatever the browser sends.
ACCEPT_ATTRIBUTE = ",".join(KIND_BY_EXTENSION)

# Bytes of a CSV file read to check that it is text.
CSV_SAMPLE_BYTES = 64 * 1024


class RejectedFile(ValueError):
    """An upload that is not an accepted kind of file. The message states why and what to do."""


def extension_of(filename):
    return os.path.splitext(filename)[1].lower()


def clean_filename(filename):
    """Return the file's own name without any folder a browser sent, at most 255 characters."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(character for character in name if character.isprintable())
    if len(name) > 255:
        stem, extension = os.path.splitext(name)
        name = stem[: 255 - len(extension)] + extension
    return name


def detect_kind(data):
    """Return the FileKind that the content shows, or None when it is none of them."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return office_kind(data)
    if looks_like_csv(data):
        return CSV
    return None


def office_kind(data):
    """Return DOCX or XLSX for a zip archive with that format's parts, else None.

    Only the archive's list of names is read; nothing is decompressed.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return None


def looks_like_csv(data):
    """Return True for text in UTF-8 or Windows-1252 without NUL bytes that csv can read."""
    sample = data[:CSV_SAMPLE_BYTES]
    if not sample.strip() or b"\x00" in sample:
        return False
    try:
        text = sample.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if error.start >= len(sample) - 3:
            # The sample may end in the middle of a multi-byte character.
            text = sample[: error.start].decode("utf-8-sig")
        else:
            try:
                text = sample.decode("cp1252")
            except UnicodeDecodeError:
                return False
    if any(unicodedata.category(character) == "Cc" and character not in "\r\n\t" for character in text):
        return False
    try:
        list(csv.reader(io.StringIO(text)))
    except csv.Error:
        return False
    return True


def describe(kind):
    return kind.with_article if kind else "none of the accepted kinds"


def check_file(filename, data, max_bytes, size=None):
    """Return the FileKind of an upload, or raise RejectedFile with what is wrong and what to do.

    data may be only the first max_bytes + 1 bytes of a larger file whose size is given.
    """
    size = len(data) if size is None else size
    name = clean_filename(filename)
    extension = extension_of(name)
    expected = KIND_BY_EXTENSION.get(extension)
    if expected is None:
        shown = f"{extension} files" if extension else "Files without an extension"
        raise RejectedFile(f"{name}: {shown} are not accepted. Upload {ACCEPTED}.")
    if size > max_bytes:
        shown_size, shown_limit = megabytes(size), megabytes(max_bytes)
        if shown_size == shown_limit:
            shown_size, shown_limit = f"{size:,} bytes", f"{max_bytes:,} bytes"
        raise RejectedFile(
            f"{name} is {shown_size}; the limit is {shown_limit} per file. "
            "Upload a smaller file, or save a link to it in the evidence instead."
        )
    if not size:
        raise RejectedFile(f"{name} is empty. Choose the file again; it may not have finished saving.")
    found = detect_kind(data)
    if found is not expected:
        raise RejectedFile(
            f"{name} is named like {expected.with_article}, but its content is {describe(found)}. "
            f"Upload the real {expected.name}, or export the file in one of the accepted formats first."
        )
    return expected


def megabytes(size):
    return f"{size / (1024 * 1024):.1f} MB"


def evidence_folder():
    """Return the folder evidence files are stored in, creating it if needed."""
    folder = current_app.config["EVIDENCE_FOLDER"] or os.path.join(current_app.instance_path, "evidence")
    os.makedirs(folder, exist_ok=True)
    return folder


def new_stored_name(kind):
    """Return a random file name that says nothing of the upload but keeps its extension."""
    return secrets.token_hex(16) + kind.extensions[0]


def stored_path(stored_name):
    """Return the path of a stored file; stored names are generated here, never taken from a request."""
    if os.path.basename(stored_name) != stored_name or stored_name.startswith("."):
        raise ValueError(f"{stored_name!r} is not a stored evidence file name")
    return os.path.join(evidence_folder(), stored_name)


def write_file(stored_name, data):
    """Write a new file; an existing file with the same name is an error, never overwritten."""
    with open(stored_path(stored_name), "xb") as handle:
        handle.write(data)


# NOTE: an EvidenceFile row deleted by a cascade (when its check-in, indicator or period is
# deleted) leaves its file in the folder, because only delete_evidence_file removes files.
def remove_file(stored_name):
    """Delete a stored file; one that is already gone is not an error."""
    try:
        os.remove(stored_path(stored_name))
    except FileNotFoundError:
        pass
