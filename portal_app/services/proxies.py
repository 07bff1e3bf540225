"""Proxy access: a patient (or the front desk for them) lets another account act for them.

Rules (see services/access.py for how a grant is used, including the adolescent rule):

- Who may grant or revoke: the patient themself, if 12 or older (a teen may widen a parent's
  access), or staff holding "proxies.manage" (front desk, admin). The grantee may also give up
  their own access (revoke). A patient naming another patient's chart gets NotFound; every
  refusal is audited.
- Scopes: a non-empty subset of ``PROXY_SCOPES``; relationship: one of ``RELATIONSHIPS``.
- End date: required, in the future and at most ``MAX_GRANT`` (2 years) ahead. For a parent or
  guardian of a child under 12 it defaults to the child's 12th birthday, and may reach it even
  when that is more than 2 years away.
- One active grant per patient and grantee: change scopes by revoking and granting again.
- The grantee is an active patient or proxy account, not the patient's own.
- Granting and revoking are audited as "permission_change" (category "proxy").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlmodel import Session, select

from portal_app import clock
from portal_app.models.people import Patient, Role, User
from portal_app.models.proxy import PROXY_SCOPES, RELATIONSHIPS, ProxyGrant
from portal_app.services import audit
from portal_app.services.access import (
    ADOLESCENT_AGE, PARENTAL_RELATIONSHIPS, Actor, age_on, allowed, birthday, effective_scopes, grant_is_active,
)
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied

MAX_GRANT = timedelta(days=731)  # 2 years
CATEGORY = "proxy"


@dataclass(frozen=True)
class GrantView:
    """One line of "who has access to my record"."""

    id: int
    grantee_user_id: int
    grantee_name: str
    relationship: str
    scopes: tuple[str, ...]  # as granted
    effective_scopes: tuple[str, ...]  # what it covers today (adolescent rule, dates, revocation)
    starts_at: datetime
    ends_at: datetime
    revoked_at: datetime | None
    active: bool


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _may_manage(session: Session, actor: Actor | None, patient_id: object, action: str) -> Patient:
    """The patient (12 or older) or proxies.manage staff; refusals audited (NotFound for other patients)."""
    valid = _is_id(patient_id)
    patient = session.get(Patient, patient_id) if valid else None
    if actor is not None and actor.role == Role.PATIENT and valid and actor.patient_id == patient_id and patient:
        if age_on(patient.birth_date, clock.now().date()) < ADOLESCENT_AGE:
            audit.record_refusal(session, actor, action, CATEGORY, patient_id=patient_id, detail="refused: too young")
            raise PermissionDenied("proxies.error.too_young")
        return patient
    if allowed(actor, "proxies.manage"):
        if patient is None:
            raise NotFound()
        return patient
    audit.record_refusal(session, actor, action, CATEGORY, patient_id=patient_id if valid else None,
                         detail="refused: proxies")
    if actor is not None and actor.role in (Role.PATIENT, Role.PROXY):
        raise NotFound()
    raise PermissionDenied()


def _scopes(scopes: object) -> tuple[str, ...]:
    if isinstance(scopes, str) or not isinstance(scopes, Iterable):
        raise InvalidInput("proxies.error.scopes")
    chosen = list(scopes)
    if not chosen or not all(isinstance(s, str) and s in PROXY_SCOPES for s in chosen):
        raise InvalidInput("proxies.error.scopes")
    return tuple(s for s in PROXY_SCOPES if s in chosen)


def _start_of_day(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def grant(
    session: Session,
    actor: Actor,
    patient_id: int,
    grantee_user_id: int,
    scopes: Iterable[str],
    relationship: str,
    ends_at: datetime | None = None,
) -> int:
    """Give ``grantee_user_id`` access to the patient's chart; returns the grant's id. Nothing is written on refusal."""
    patient = _may_manage(session, actor, patient_id, "permission_change")
    chosen = _scopes(scopes)
    if not isinstance(relationship, str) or relationship not in RELATIONSHIPS:
        raise InvalidInput("proxies.error.relationship")
    grantee = session.get(User, grantee_user_id) if _is_id(grantee_user_id) else None
    if (grantee is None or not grantee.is_active or grantee.role not in (Role.PATIENT, Role.PROXY)
            or grantee.patient_id == patient.id):
        raise InvalidInput("proxies.error.grantee")
    moment = clock.now()
    age = age_on(patient.birth_date, moment.date())
    latest = moment + MAX_GRANT
    if relationship in PARENTAL_RELATIONSHIPS and age < ADOLESCENT_AGE:
        twelfth = _start_of_day(birthday(patient.birth_date, ADOLESCENT_AGE))
        latest = max(latest, twelfth)
        if ends_at is None:
            ends_at = twelfth
    if ends_at is None:
        raise InvalidInput("proxies.error.ends_at_missing")
    if not isinstance(ends_at, datetime):
        raise InvalidInput("proxies.error.ends_at_missing")
    ends = clock.as_utc(ends_at)
    if ends <= moment:
        raise InvalidInput("proxies.error.ends_at_past")
    if ends > latest:
        raise InvalidInput("proxies.error.ends_at_too_far")
    existing = session.exec(
        select(ProxyGrant).where(ProxyGrant.patient_id == patient.id, ProxyGrant.grantee_user_id == grantee.id,
                                 ProxyGrant.revoked_at.is_(None))
    ).all()
    if any(grant_is_active(row, moment) for row in existing):
        raise InvalidInput("proxies.error.duplicate")
    row = ProxyGrant(patient_id=patient.id, grantee_user_id=grantee.id, scopes=",".join(chosen),
                     relationship=relationship, starts_at=moment, ends_at=ends, created_by=actor.user_id,
                     created_at=moment)
    session.add(row)
    session.flush()
    assert row.id is not None
    audit.record(session, actor, "permission_change", CATEGORY, patient_id=patient.id,
                 detail=f"proxy grant {row.id} to user {grantee.id}: {row.scopes} until {ends.date().isoformat()}")
    return row.id


def revoke(session: Session, actor: Actor, grant_id: int) -> None:
    """End a grant now: by the patient, staff with "proxies.manage", or the grantee giving it up."""
    row = session.get(ProxyGrant, grant_id) if _is_id(grant_id) else None
    if row is not None and actor is not None and actor.user_id is not None and actor.user_id == row.grantee_user_id:
        pass  # a proxy may always give up their own access
    elif row is not None:
        _may_manage(session, actor, row.patient_id, "permission_change")
    else:
        audit.record_refusal(session, actor, "permission_change", CATEGORY, detail="refused: no such grant")
        raise NotFound()
    if row.revoked_at is not None:
        raise InvalidInput("proxies.error.already_revoked")
    row.revoked_at = clock.now()
    row.revoked_by = actor.user_id
    session.add(row)
    session.flush()
    audit.record(session, actor, "permission_change", CATEGORY, patient_id=row.patient_id,
                 detail=f"proxy grant {row.id} revoked")


def grants_for_patient(session: Session, actor: Actor, patient_id: int) -> list[GrantView]:
    """Every grant on the chart, newest first: for the patient (any age) or "proxies.manage" staff."""
    valid = _is_id(patient_id)
    own = actor is not None and actor.role == Role.PATIENT and valid and actor.patient_id == patient_id
    if not own and not allowed(actor, "proxies.manage"):
        audit.record_refusal(session, actor, "read", CATEGORY, patient_id=patient_id if valid else None,
                             detail="refused: proxies")
        if actor is not None and actor.role in (Role.PATIENT, Role.PROXY):
            raise NotFound()
        raise PermissionDenied()
    patient = session.get(Patient, patient_id) if valid else None
    if patient is None:
        raise NotFound()
    moment = clock.now()
    rows = session.exec(select(ProxyGrant).where(ProxyGrant.patient_id == patient.id)
                        .order_by(ProxyGrant.id.desc())).all()
    views = []
    for row in rows:
        grantee = session.get(User, row.grantee_user_id)
        effective = effective_scopes(session, row, patient, moment)
        views.append(GrantView(
            id=row.id, grantee_user_id=row.grantee_user_id, grantee_name=grantee.display_name if grantee else "",
            relationship=row.relationship, scopes=tuple(s for s in PROXY_SCOPES if s in row.scopes.split(",")),
            effective_scopes=tuple(s for s in PROXY_SCOPES if s in effective),
            starts_at=clock.as_utc(row.starts_at), ends_at=clock.as_utc(row.ends_at),
            revoked_at=clock.as_utc(row.revoked_at) if row.revoked_at else None, active=bool(effective),
        ))
    audit.record(session, actor, "read", CATEGORY, patient_id=patient.id, detail=f"{len(views)} proxy grants")
    return views
