"""Running the message pools (admin): who answers which kind of message, and the canned replies.

Only nurses, clinicians and the front desk answer messages; a clinical pool never takes a
front-desk member (the queue would hide its threads from her anyway: services/messages.my_pools).
Every change is audited as a permission change (membership) or an update (canned replies).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from portal_app.models.message import CannedReply, MessagePool, MessagePoolMember
from portal_app.models.people import Role, User
from portal_app.services import access, audit
from portal_app.services.access import CLINICAL, Actor
from portal_app.services.errors import InvalidInput, NotFound
from portal_app.services.medications import is_id

CATEGORY = "messages"
ANSWERING_ROLES = frozenset({Role.FRONT_DESK, Role.NURSE, Role.CLINICIAN})
MAX_TITLE = 80
MAX_CANNED = 2000


@dataclass(frozen=True)
class Member:
    user_id: int
    name: str
    role: str


@dataclass(frozen=True)
class PoolAdminView:
    code: str
    name: str
    clinical: bool
    members: list[Member]
    candidates: list[Member]  # staff who could join


@dataclass(frozen=True)
class CannedAdminView:
    id: int
    pool: str  # the pool's name, "" for every pool
    title: str
    body: str


def _pool(session: Session, actor: Actor, code: object) -> MessagePool:
    pool = session.exec(select(MessagePool).where(MessagePool.code == code)).first() if isinstance(code, str) else None
    if pool is None:
        audit.record_refusal(session, actor, "permission_change", CATEGORY, detail="refused: no such message pool")
        raise NotFound("msg.error.no_pool")
    return pool


def overview(session: Session, actor: Actor | None) -> list[PoolAdminView]:
    access.require(actor, "messages.pools")
    staff = session.exec(select(User).where(User.role.in_(list(ANSWERING_ROLES)), User.is_active.is_(True))
                         .order_by(User.display_name)).all()
    views = []
    for pool in session.exec(select(MessagePool).order_by(MessagePool.id)).all():
        ids = set(session.exec(select(MessagePoolMember.user_id).where(MessagePoolMember.pool_id == pool.id)).all())
        eligible = [u for u in staff if not pool.clinical or u.role in CLINICAL]
        views.append(PoolAdminView(
            pool.code, pool.name, pool.clinical,
            members=[Member(u.id, u.display_name, u.role) for u in staff if u.id in ids],
            candidates=[Member(u.id, u.display_name, u.role) for u in eligible if u.id not in ids]))
    return views


def add_member(session: Session, actor: Actor | None, code: object, user_id: object) -> None:
    actor = access.require(actor, "messages.pools")
    pool = _pool(session, actor, code)
    user = session.get(User, user_id) if is_id(user_id) else None
    if user is None or not user.is_active or user.role not in ANSWERING_ROLES:
        raise InvalidInput("msg.error.not_answering_staff")
    if pool.clinical and user.role not in CLINICAL:
        raise InvalidInput("msg.error.clinical_pool")
    if session.exec(select(MessagePoolMember).where(MessagePoolMember.pool_id == pool.id,
                                                    MessagePoolMember.user_id == user.id)).first() is None:
        session.add(MessagePoolMember(pool_id=pool.id, user_id=user.id))
        audit.record(session, actor, "permission_change", CATEGORY, detail=f"user {user.id} joined pool {pool.code}")


def remove_member(session: Session, actor: Actor | None, code: object, user_id: object) -> None:
    actor = access.require(actor, "messages.pools")
    pool = _pool(session, actor, code)
    row = session.exec(select(MessagePoolMember).where(MessagePoolMember.pool_id == pool.id,
                                                       MessagePoolMember.user_id == user_id)).first() \
        if is_id(user_id) else None
    if row is not None:
        session.delete(row)
        audit.record(session, actor, "permission_change", CATEGORY, detail=f"user {user_id} left pool {pool.code}")


def canned(session: Session, actor: Actor | None) -> list[CannedAdminView]:
    access.require(actor, "messages.pools")
    names = {p.id: p.name for p in session.exec(select(MessagePool)).all()}
    return [CannedAdminView(c.id, names.get(c.pool_id, ""), c.title, c.body)
            for c in session.exec(select(CannedReply).order_by(CannedReply.title)).all()]


def add_canned(session: Session, actor: Actor | None, code: object, title: object, body: object) -> int:
    """A reply staff can start from; ``code`` "" makes it available in every pool."""
    actor = access.require(actor, "messages.pools")
    pool = _pool(session, actor, code) if code else None
    if not isinstance(title, str) or not 0 < len(title.strip()) <= MAX_TITLE:
        raise InvalidInput("msg.error.canned_title", most=MAX_TITLE)
    if not isinstance(body, str) or not 0 < len(body.strip()) <= MAX_CANNED:
        raise InvalidInput("msg.error.canned_body", most=MAX_CANNED)
    row = CannedReply(pool_id=pool.id if pool else None, title=title.strip(), body=body.strip())
    session.add(row)
    session.flush()
    audit.record(session, actor, "update", CATEGORY, detail=f"canned reply {row.id} added")
    return row.id


def remove_canned(session: Session, actor: Actor | None, canned_id: object) -> None:
    actor = access.require(actor, "messages.pools")
    row = session.get(CannedReply, canned_id) if is_id(canned_id) else None
    if row is None:
        raise NotFound("msg.error.no_canned")
    session.delete(row)
    audit.record(session, actor, "update", CATEGORY, detail=f"canned reply {row.id} removed")
