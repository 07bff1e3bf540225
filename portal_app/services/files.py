"""Accepting uploads safely, and keeping them where only their feature can hand them out.

Why not Reflex's uploads: ``/_upload`` serves every file to anyone and has no size limit
(SECURITY.md, sharp edge 7). Here an upload arrives at our own route (``api/files.py``), which
checks the session and hands the bytes to ``store_upload``:

- the purpose (``PURPOSES``) says who may upload, how big and what kinds of content;
- the kind is decided from the bytes, never the name or the browser's label: a "photo.jpg"
  that is really a PDF is a PDF, and refused where PDFs are not allowed;
- photos are decoded and re-encoded, which drops EXIF data (camera, time, GPS position) and
  anything hidden after the image data, and turns them upright;
- each account may upload at most ``HOURLY_LIMIT`` files an hour.

The stored file then belongs only to its uploader until a feature ``claim``s it (the message is
sent, the card saved); from then on that feature's service decides who may read it and serves it
through its own route. Unclaimed uploads are deleted after ``UNCLAIMED_FOR``.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import delete, func
from sqlmodel import Session, select

from portal_app import clock
from portal_app.models.people import STAFF_ROLES, Role
from portal_app.models.stored_file import StoredFile
from portal_app.services import audit
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied

MB = 1024 * 1024
IMAGE_KINDS = frozenset({"jpeg", "png", "webp", "gif"})
CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "pdf": "application/pdf", "json": "application/json"}
HOURLY_LIMIT = 60
UNCLAIMED_FOR = timedelta(days=1)
MAX_PIXELS = 40_000_000  # a 40-megapixel photo; larger images are refused before decoding (bombs)
LONGEST_SIDE = 4096  # bigger photos are scaled down to this (a phone photo stays readable)
CATEGORY = "upload"


@dataclass(frozen=True)
class Policy:
    max_bytes: int
    kinds: frozenset[str]  # accepted kinds of content (images are stored re-encoded as jpeg or png)
    roles: frozenset[str]  # who may upload for this purpose


PATIENT_SIDE = frozenset({Role.PATIENT, Role.PROXY})
PURPOSES: dict[str, Policy] = {
    "message_attachment": Policy(10 * MB, IMAGE_KINDS | {"pdf"}, PATIENT_SIDE | STAFF_ROLES),
    "insurance_card": Policy(10 * MB, IMAGE_KINDS, PATIENT_SIDE | {Role.FRONT_DESK, Role.ADMIN}),
    # An EHR export (FHIR bundle or NDJSON) for /console/import; services/record_staff.py imports it.
    "fhir_import": Policy(50 * MB, frozenset({"json"}), frozenset({Role.CLINICIAN, Role.ADMIN})),
}


@dataclass(frozen=True)
class UploadView:
    token: str
    name: str
    size: int
    kind: str


def policy_for(purpose: object) -> Policy | None:
    return PURPOSES.get(purpose) if isinstance(purpose, str) else None


def sniff(data: bytes) -> str | None:
    """The kind of content, from its first and last bytes; None when it is none we know."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if b"%PDF-" in data[:1024] and b"%%EOF" in data[-2048:]:
        return "pdf"
    text = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if text[:1] in (b"{", b"["):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "json"
    return None


def _reencode(data: bytes, kind: str) -> tuple[bytes, str]:
    """Decode and write the picture again: upright, at most LONGEST_SIDE, with no metadata at all."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise InvalidInput("files.error.image_too_large")
            probe.verify()  # a truncated or corrupt file stops here
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((LONGEST_SIDE, LONGEST_SIDE))
            out = io.BytesIO()
            if kind == "jpeg":
                upright.convert("RGB").save(out, format="JPEG", quality=88, optimize=True)
                return out.getvalue(), "jpeg"
            mode = "RGBA" if upright.mode in ("RGBA", "LA", "P") else "RGB"
            upright.convert(mode).save(out, format="PNG", optimize=True)
            return out.getvalue(), "png"
    except InvalidInput:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise InvalidInput("files.error.broken_image") from None


_UNSAFE_NAME = re.compile(r"[^\w .()-]+", re.UNICODE)


def clean_name(name: object, kind: str) -> str:
    """A display name that is safe in a page and a download header, with the right extension."""
    text = unicodedata.normalize("NFC", name if isinstance(name, str) else "")
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    stem = _UNSAFE_NAME.sub("_", text.rsplit(".", 1)[0] if "." in text else text).strip(" ._") or "file"
    extension = {"jpeg": "jpg"}.get(kind, kind)
    return f"{stem[:100]}.{extension}"


def store_upload(session: Session, actor: Actor | None, purpose: str, name: str, data: bytes) -> UploadView:
    """Check and keep one upload for its uploader; nothing is stored when refused."""
    policy = policy_for(purpose)
    if actor is None or actor.user_id is None:
        raise PermissionDenied()
    if policy is None:
        raise InvalidInput("files.error.purpose")
    if actor.role not in policy.roles:
        raise PermissionDenied()
    if not data:
        raise InvalidInput("files.error.empty")
    if len(data) > policy.max_bytes:
        raise InvalidInput("files.error.too_big", mb=policy.max_bytes // MB)
    recent = session.exec(
        select(func.count()).select_from(StoredFile).where(
            StoredFile.owner_user_id == actor.user_id, StoredFile.created_at >= clock.now() - timedelta(hours=1))
    ).one()
    if recent >= HOURLY_LIMIT:
        raise InvalidInput("files.error.too_many")
    kind = sniff(data)
    if kind is None or kind not in policy.kinds:
        raise InvalidInput("files.error.type")
    if kind in IMAGE_KINDS:
        data, kind = _reencode(data, kind)
    row = StoredFile(
        token=secrets.token_urlsafe(32), owner_user_id=actor.user_id, purpose=purpose, kind=kind,
        content_type=CONTENT_TYPES[kind], name=clean_name(name, kind), size=len(data),
        sha256=hashlib.sha256(data).hexdigest(), data=data,
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "create", CATEGORY, patient_id=actor.patient_id,
                 detail=f"upload {row.id} for {purpose}: {kind}, {row.size} bytes")
    return UploadView(token=row.token, name=row.name, size=row.size, kind=kind)


def _valid_token(token: object) -> bool:
    return isinstance(token, str) and 20 <= len(token) <= 43 and token.replace("-", "").replace("_", "").isalnum()


def pending_upload(session: Session, actor: Actor | None, token: object, purpose: str) -> StoredFile:
    """The caller's own not-yet-claimed upload for this purpose; NotFound for anything else."""
    row = session.exec(select(StoredFile).where(StoredFile.token == token)).first() if _valid_token(token) else None
    if (row is None or actor is None or row.owner_user_id != actor.user_id or row.purpose != purpose
            or row.attached_to is not None):
        raise NotFound("files.error.gone")
    return row


def describe_pending(session: Session, actor: Actor | None, token: object, purpose: str) -> UploadView:
    """What the caller's pending upload really is (the page never trusts the browser's word for it)."""
    row = pending_upload(session, actor, token, purpose)
    return UploadView(token=row.token, name=row.name, size=row.size, kind=row.kind)


def claim(session: Session, actor: Actor | None, token: object, purpose: str, attach_to: str) -> StoredFile:
    """Hand the caller's upload to a feature record (``"message:42"``); it can be claimed once."""
    row = pending_upload(session, actor, token, purpose)
    row.attached_to = attach_to
    session.add(row)
    session.flush()
    return row


def discard(session: Session, actor: Actor | None, token: object, purpose: str) -> None:
    """The uploader changed their mind before sending: forget the file now."""
    row = pending_upload(session, actor, token, purpose)
    session.delete(row)
    session.flush()


def attached_file(session: Session, token: object, attached_to: str) -> StoredFile | None:
    """A claimed file, for the feature service that owns ``attached_to`` (it checks who may read it)."""
    if not _valid_token(token):
        return None
    row = session.exec(select(StoredFile).where(StoredFile.token == token)).first()
    return row if row is not None and row.attached_to == attached_to else None


def prune_unclaimed(session: Session) -> int:
    """Delete uploads nobody claimed within a day (a message never sent, a form left open)."""
    result = session.exec(delete(StoredFile).where(StoredFile.attached_to.is_(None),
                                                   StoredFile.created_at < clock.now() - UNCLAIMED_FOR))
    return result.rowcount or 0
