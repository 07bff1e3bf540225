"""Sharing the record with another provider: a short code, chosen sections, a few days at most.

The patient (or a proxy with the record scope) picks the sections and how many days (1-7) and
gets a 10-symbol code from the unambiguous 32-symbol alphabet (50 random bits), shown in two
groups of five for reading aloud. Only its keyed hash is stored (``codes.digest``), so the
database alone cannot open a share.

The provider opens ``/shared`` with the code and the patient's date of birth. Each try with a
code of the right shape (anything else cannot match and is refused at once) counts
against the caller's address (``SOURCE_MAX`` an hour) and, once the code is known, against the
share (``SHARE_MAX`` an hour); five wrong dates of birth lock the share for good. A share that
has ended or was stopped says so plainly, after the date of birth matched. Nothing of the record
is read before both checks pass, and then only the chosen sections, as the patient sees them
(held results stay out). Every try is audited, and every opening is listed for the patient.

``open_share`` returns its refusals instead of raising them: the failure counts and the audit
rows must be committed with the refusal, not rolled back by it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from portal_app import clock
from portal_app.models.medication import Medication
from portal_app.models.people import Patient
from portal_app.models.record_share import RecordShare, RecordShareView
from portal_app.services import access, audit, codes, record
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput, NotFound
from portal_app.services.medications import CURRENT, is_id
from portal_app.services.recovery import bucket, take

CODE_LENGTH = 10  # 10 symbols of 32: 50 bits
CODE_PURPOSE = "record_share"
MAX_DAYS = 7
MAX_FAILURES = 5  # wrong dates of birth with the right code, then the share is locked
SOURCE_MAX = 30  # tries from one address an hour
SHARE_MAX = 20  # tries at one share an hour
MAX_RECIPIENT = 80
CATEGORY = "record"
# section -> what the person creating the share must be allowed to read themself
SECTIONS: dict[str, str] = {
    "problems": "record.read", "allergies": "record.read", "medications": "medications.read",
    "results": "results.read", "immunizations": "record.read", "vitals": "record.read",
    "visits": "record.read", "procedures": "record.read", "documents": "notes.read", "care_team": "record.read",
}
# record sections held in record.RecordView fields
_RECORD_FIELDS = {"problems": ("problems_active", "problems_resolved"), "allergies": ("allergies",),
                  "immunizations": ("immunizations",), "vitals": ("vitals",), "visits": ("visits",),
                  "procedures": ("procedures",), "documents": ("documents",), "care_team": ("care_team",)}


@dataclass(frozen=True)
class CreatedShare:
    id: int
    code: str  # grouped for reading aloud: "7KQ2M-XD4PA"; shown once, never stored
    expires_at: datetime


@dataclass(frozen=True)
class ShareViewLine:
    when: datetime
    source_ip: str


@dataclass(frozen=True)
class ShareSummary:
    id: int
    recipient: str
    sections: tuple[str, ...]
    created_at: datetime
    expires_at: datetime
    locked: bool
    views: list[ShareViewLine]


@dataclass(frozen=True)
class SharedMedicine:
    name: str
    detail: str


@dataclass
class SharedRecord:
    """What the provider sees: the chosen sections only."""

    patient_name: str
    birth_date: date
    expires_at: datetime
    sections: tuple[str, ...]
    record: record.RecordView = field(default_factory=record.RecordView)
    results: list[record.ResultGroup] = field(default_factory=list)
    medications: list[SharedMedicine] = field(default_factory=list)


@dataclass(frozen=True)
class Opening:
    shared: SharedRecord | None = None
    error: str = ""  # a translation key when refused


def _chosen_sections(session: Session, actor: Actor, patient_id: int, sections: object) -> tuple[str, ...]:
    if not isinstance(sections, (list, tuple)) or not all(isinstance(s, str) for s in sections):
        raise InvalidInput("share.error.sections")
    chosen = tuple(s for s in SECTIONS if s in sections)
    if not chosen or len(chosen) != len(set(sections)):
        raise InvalidInput("share.error.sections")
    for section in chosen:
        if not access.check_patient_access(session, actor, patient_id, SECTIONS[section]).allowed:
            raise InvalidInput("share.error.section_not_allowed")
    return chosen


def _days(value: object) -> int:
    if isinstance(value, str) and value.isdecimal() and len(value) <= 2:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_DAYS:
        raise InvalidInput("share.error.days")
    return value


def _recipient(value: object) -> str:
    if not isinstance(value, str):
        raise InvalidInput("share.error.recipient")
    text = " ".join(value.split())
    if len(text) > MAX_RECIPIENT or not text.isprintable():
        raise InvalidInput("share.error.recipient")
    return text


def create_share(session: Session, actor: Actor, patient_id: int, sections: object, days: object,
                 recipient: object = "") -> CreatedShare:
    """A new share of the chosen sections for ``days`` days; the code is in the answer only."""
    access.require_patient_access(session, actor, patient_id, "record.share")
    chosen = _chosen_sections(session, actor, patient_id, sections)
    lasting, named = _days(days), _recipient(recipient)
    code = codes.random_code(CODE_LENGTH)
    moment = clock.now()
    share = RecordShare(patient_id=patient_id, created_by=actor.user_id, code_hash=codes.digest(code, CODE_PURPOSE),
                        recipient=named, sections=",".join(chosen), created_at=moment,
                        expires_at=moment + timedelta(days=lasting))
    session.add(share)
    session.flush()
    audit.record(session, actor, "share", CATEGORY, patient_id=patient_id,
                 detail=f"share {share.id} created for {lasting} days: {','.join(chosen)}")
    return CreatedShare(share.id, codes.grouped(code, 5), share.expires_at)


def _is_active(share: RecordShare, moment: datetime) -> bool:
    return share.revoked_at is None and clock.as_utc(share.expires_at) > moment


def active_shares(session: Session, actor: Actor, patient_id: int) -> list[ShareSummary]:
    """Every share of this chart still running (locked ones included), newest first, with its views."""
    access.require_patient_access(session, actor, patient_id, "record.share")
    moment = clock.now()
    shares = [s for s in session.exec(select(RecordShare).where(RecordShare.patient_id == patient_id,
                                                                 RecordShare.revoked_at.is_(None))
                                       .order_by(RecordShare.created_at.desc(), RecordShare.id.desc())).all()
              if _is_active(s, moment)]
    views: dict[int, list[ShareViewLine]] = {s.id: [] for s in shares}
    if shares:
        for row in session.exec(select(RecordShareView).where(RecordShareView.share_id.in_(list(views)))
                                .order_by(RecordShareView.viewed_at.desc(), RecordShareView.id.desc())):
            views[row.share_id].append(ShareViewLine(clock.as_utc(row.viewed_at), row.source_ip))
    audit.record(session, actor, "read", CATEGORY, patient_id=patient_id, detail="record shares")
    return [ShareSummary(s.id, s.recipient, tuple(s.sections.split(",")), clock.as_utc(s.created_at),
                         clock.as_utc(s.expires_at), s.locked_at is not None, views[s.id]) for s in shares]


def revoke_share(session: Session, actor: Actor, patient_id: int, share_id: object) -> None:
    """Stop a share at once; the provider's next try is refused."""
    access.require_patient_access(session, actor, patient_id, "record.share")
    share = session.get(RecordShare, share_id) if is_id(share_id) else None
    if share is None or share.patient_id != patient_id:
        audit.record_refusal(session, actor, "permission_change", CATEGORY, patient_id=patient_id,
                             detail="refused: share not on this chart")
        raise NotFound("share.error.not_found")
    if share.revoked_at is None:
        share.revoked_at = clock.now()
        session.add(share)
        audit.record(session, actor, "permission_change", CATEGORY, patient_id=patient_id,
                     detail=f"share {share.id} stopped")


def _viewer(share: RecordShare) -> Actor:
    """Who the audit trail names for a provider's opening: no account, only the share."""
    return Actor(role=audit.ANONYMOUS, display_name=f"provider with share code {share.id}")


def _refused(session: Session, key: str, detail: str, source_ip: str, share: RecordShare | None = None) -> Opening:
    audit.record(session, _viewer(share) if share else None, "read", CATEGORY, outcome="denied",
                 patient_id=share.patient_id if share else None, detail=detail, source_ip=source_ip)
    return Opening(error=key)


def open_share(session: Session, code: object, birth_date: object, source_ip: str = "") -> Opening:
    """The provider's try: the chosen sections when the code and date of birth match a running share."""
    ip = source_ip if isinstance(source_ip, str) else ""
    typed = codes.normalise(code) if isinstance(code, str) else ""
    if len(typed) != CODE_LENGTH or not set(typed) <= set(codes.ALPHABET):
        return Opening(error="share.error.wrong")  # cannot be any share's code: nothing to count or look up
    if not take(session, bucket("share-source", ip), SOURCE_MAX):
        return _refused(session, "share.error.too_many", "share: too many tries from this address", ip)
    share = session.exec(select(RecordShare).where(RecordShare.code_hash == codes.digest(typed, CODE_PURPOSE))).first()
    if share is None:
        return _refused(session, "share.error.wrong", "share: unknown code", ip)
    if not take(session, bucket("share-open", str(share.id)), SHARE_MAX):
        return _refused(session, "share.error.too_many", f"share {share.id}: too many tries", ip, share)
    if share.locked_at is not None:
        return _refused(session, "share.error.locked", f"share {share.id}: locked", ip, share)
    patient = session.get(Patient, share.patient_id)
    if not isinstance(birth_date, date) or isinstance(birth_date, datetime) or birth_date != patient.birth_date:
        share.failures += 1
        if share.failures >= MAX_FAILURES:
            share.locked_at = clock.now()
        session.add(share)
        key = "share.error.locked" if share.locked_at else "share.error.wrong"
        return _refused(session, key, f"share {share.id}: wrong date of birth ({share.failures})", ip, share)
    if share.revoked_at is not None:
        return _refused(session, "share.error.revoked", f"share {share.id}: stopped", ip, share)
    if not _is_active(share, clock.now()):
        return _refused(session, "share.error.expired", f"share {share.id}: ended", ip, share)
    session.add(RecordShareView(share_id=share.id, viewed_at=clock.now(), source_ip=ip[:64]))
    shared = _shared_record(session, share, patient)
    audit.record(session, _viewer(share), "read", CATEGORY, patient_id=share.patient_id,
                 detail=f"share {share.id} opened: {share.sections}", source_ip=ip)
    return Opening(shared=shared)


def _shared_record(session: Session, share: RecordShare, patient: Patient) -> SharedRecord:
    chosen = tuple(share.sections.split(","))
    shared = SharedRecord(f"{patient.given_name} {patient.family_name}", patient.birth_date,
                          clock.as_utc(share.expires_at), chosen)
    wanted = [name for section in chosen for name in _RECORD_FIELDS.get(section, ())]
    if wanted:
        full = record.record_sections(session, patient.id, record.DateRange(), "documents" in chosen)
        for name in wanted:
            setattr(shared.record, name, getattr(full, name))
    if "results" in chosen:
        shared.results = record.released_results(session, patient.id).groups
    if "medications" in chosen:
        shared.medications = [
            SharedMedicine(m.name, " · ".join(p for p in (m.strength, m.dose, m.instructions) if p))
            for m in session.exec(select(Medication).where(Medication.patient_id == patient.id,
                                                           Medication.status.in_(CURRENT))
                                  .order_by(Medication.name, Medication.id))]
    return shared
