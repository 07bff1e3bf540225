"""Reading FHIR R4 JSON as the importer needs it: the file's resources, validated, and plain values.

Kept apart from the importer so that it holds only the mapping into our tables. Validation uses
``fhir.resources`` R4B models (the package's default models are R5 and reject R4 data).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html.parser import HTMLParser

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

MAX_BYTES = 50 * 1024 * 1024  # the staff console's upload limit, and the command's
BUNDLE_TYPES = ("transaction", "collection", "searchset", "batch")


class FhirInputError(Exception):
    """The file cannot be imported as it is; ``str()`` says why in a sentence staff can act on."""


@dataclass
class Entry:
    resource: dict
    full_url: str
    position: int  # 1-based, for messages

    @property
    def type(self) -> str:
        return self.resource.get("resourceType", "")

    @property
    def label(self) -> str:
        return f"entry {self.position} ({self.type}/{self.resource.get('id', '?')})"

    @property
    def source_id(self) -> str:
        """The EHR's id: the resource id, else the bundle's urn:uuid, else a digest of the content."""
        if isinstance(self.resource.get("id"), str) and self.resource["id"]:
            return self.resource["id"][:128]
        if self.full_url.startswith("urn:uuid:"):
            return self.full_url[len("urn:uuid:"):][:128]
        digest = hashlib.sha256(json.dumps(self.resource, sort_keys=True).encode()).hexdigest()
        return f"sha256-{digest[:40]}"


def read_entries(data: bytes) -> list[Entry]:
    """A bundle (transaction, collection, searchset), one resource, or NDJSON: its entries in order."""
    if len(data) > MAX_BYTES:
        raise FhirInputError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FhirInputError(f"The file is not UTF-8 text (byte {error.start}).") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as whole_error:
        return _ndjson(text, whole_error)
    return _from_document(document)


def _ndjson(text: str, whole_error: json.JSONDecodeError) -> list[Entry]:
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if len(lines) < 2:
        raise FhirInputError(f"The file is not valid JSON: {whole_error.msg} (line {whole_error.lineno}).")
    entries = []
    for number, line in lines:
        try:
            resource = json.loads(line)
        except json.JSONDecodeError as error:
            raise FhirInputError(f"Line {number} is not valid JSON: {error.msg}.") from None
        if not isinstance(resource, dict) or "resourceType" not in resource:
            raise FhirInputError(f"Line {number} is not a FHIR resource (it has no resourceType).")
        entries.append(Entry(resource, "", number))
    return entries


def _from_document(document: object) -> list[Entry]:
    if not isinstance(document, dict) or not isinstance(document.get("resourceType"), str):
        raise FhirInputError("The file is not a FHIR resource or bundle (it has no resourceType).")
    if document["resourceType"] != "Bundle":
        return [Entry(document, "", 1)]
    if document.get("type") not in BUNDLE_TYPES:
        raise FhirInputError(f"A bundle of type {document.get('type')!r} cannot be imported; "
                             f"use one of: {', '.join(BUNDLE_TYPES)}.")
    raw = document.get("entry", [])
    if not isinstance(raw, list):
        raise FhirInputError("The bundle's entry is not a list.")
    entries = []
    for position, item in enumerate(raw, start=1):
        resource = item.get("resource") if isinstance(item, dict) else None
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            raise FhirInputError(f"Entry {position} of the bundle has no resource.")
        full_url = item.get("fullUrl", "")
        entries.append(Entry(resource, full_url if isinstance(full_url, str) else "", position))
    return entries


def validate(entry: Entry) -> None:
    """Check one resource against its R4B model; the first problem becomes the message.

    The generated narrative (``text``) is not imported, so it is not checked: some EHRs (and the
    US Core examples) send it without its required ``div``.
    """
    try:
        model = get_fhir_model_class(entry.type)
    except KeyError:
        raise FhirInputError(f"{entry.label}: {entry.type!r} is not a FHIR R4 resource type.") from None
    try:
        model.model_validate({k: v for k, v in entry.resource.items() if k != "text"})
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ()) if part != "__root__")
        raise FhirInputError(f"{entry.label}: {where or 'resource'}: {first.get('msg', 'not valid').rstrip('.')}.") from None


# --- plain values -------------------------------------------------------------------------------

def clean(value: object, limit: int) -> str | None:
    """Text as shown: no zero-width spaces (Synthea has them), trimmed, cut to the column's length."""
    if not isinstance(value, str):
        return None
    text = value.replace("\u200b", "").strip()
    return text[:limit] or None


def concept_text(concept: object) -> str | None:
    """A CodeableConcept's words: its text, else its first coding's display, else its code."""
    if not isinstance(concept, dict):
        return None
    if concept.get("text"):
        return clean(concept["text"], 300)
    for coding in concept.get("coding", []):
        if coding.get("display"):
            return clean(coding["display"], 300)
    for coding in concept.get("coding", []):
        if coding.get("code"):
            return clean(coding["code"], 300)
    return None


def first_code(concept: object, system: str | None = None) -> tuple[str | None, str | None]:
    """(system, code) of the concept's first coding, or of its first coding in ``system``."""
    if not isinstance(concept, dict):
        return None, None
    for coding in concept.get("coding", []):
        if system is None or coding.get("system") == system:
            return clean(coding.get("system"), 120), clean(coding.get("code"), 40)
    return None, None


def codes(concepts: object) -> set[str]:
    """Every code in a list of CodeableConcepts (e.g. a resource's categories)."""
    found = set()
    for concept in concepts if isinstance(concepts, list) else [concepts]:
        if isinstance(concept, dict):
            found.update(c.get("code", "") for c in concept.get("coding", []))
    return found - {""}


def moment(value: object) -> datetime | None:
    """A FHIR date or dateTime as a UTC moment (a date alone is taken at noon UTC, so its day stays put)."""
    if not isinstance(value, str) or not value:
        return None
    if len(value) <= 10:
        day_value = day(value)
        return datetime(day_value.year, day_value.month, day_value.day, 12, tzinfo=UTC) if day_value else None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def day(value: object) -> date | None:
    """A FHIR date, dateTime or partial date ("2005", "2005-07") as a day (the first of what it names)."""
    if not isinstance(value, str) or not value:
        return None
    parts = value[:10].split("-")
    try:
        return date(int(parts[0]), int(parts[1]) if len(parts) > 1 else 1, int(parts[2]) if len(parts) > 2 else 1)
    except (ValueError, IndexError):
        return None


def period_start(resource: dict, *names: str) -> object:
    """The first of ``<name>DateTime`` / ``<name>Period.start`` / ``<name>Date`` present, as given."""
    for name in names:
        for key in (f"{name}DateTime", f"{name}Date", f"{name}Instant", name):
            if isinstance(resource.get(key), str):
                return resource[key]
        if isinstance(resource.get(f"{name}Period"), dict):
            return resource[f"{name}Period"].get("start")
    return None


class _TextOnly(HTMLParser):
    BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "table"}

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self._skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def plain_text(markup: str) -> str:
    """HTML or XHTML as plain text: tags and scripts gone, paragraphs kept as lines."""
    parser = _TextOnly()
    parser.feed(markup)
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    return "\n".join(line for line in lines if line)


def attachment_text(attachment: object) -> str | None:
    """The words of an inline text, HTML or XHTML attachment; None for anything else (PDF, images)."""
    if not isinstance(attachment, dict) or not isinstance(attachment.get("data"), str):
        return None
    kind = (attachment.get("contentType") or "").split(";")[0].strip().lower()
    if kind not in ("text/plain", "text/html", "application/xhtml", "application/xhtml+xml"):
        return None
    try:
        raw = base64.b64decode(attachment["data"], validate=False).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return None
    return raw.strip() if kind == "text/plain" else plain_text(raw)
