"""Secure messaging: a patient's inbox and the care team's shared queue.

Patient side (the patient, or a proxy holding the "messages" scope): start a thread by topic,
reply, read. Before sending, the page shows when to expect an answer (``expectation``) and the
911 notice, a stronger one when the text holds urgent-symptom words (``is_urgent``); the message
is never blocked for it, but the thread is flagged for the queue.

Care-team side: each topic routes to a pool (``TOPIC_POOL``); staff see only the threads of pools
they belong to, and a clinical pool never shows to the front desk, whatever its member list says.
Chart access is then checked as for any chart read (restricted charts need break-glass).
Internal notes are only read by ``staff_thread``: no patient-side function touches that table.

Every read and write is audited (category "messages"); refusals are audited by access.py or
here. The notice of a reply says only "you have a new message" (notify.py's ``new_message``
template has no parameter that could carry text). Changes are announced live on the patient's
"messages" topic and on ``QUEUE_TOPIC``.

Message text is stored and returned exactly as written: pages render it as text, never HTML or
markdown, and ``segments`` splits out web links so a page can show them as plainly external.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from portal_app import clock, localtime
from portal_app.models.message import (STATUSES, TOPICS, CannedReply, Message, MessageNote, MessagePool,
                                       MessagePoolMember, MessageRead, MessageThread)
from portal_app.models.people import Patient, Role, User
from portal_app.models.record import Observation
from portal_app.models.outbox import Channel
from portal_app.models.stored_file import StoredFile
from portal_app.services import access, audit, files, live, message_drafts, notify, record
from portal_app.services.access import CLINICAL, Actor
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from portal_app.services.medications import is_id
from portal_app.services.notification_prefs import queue_to_patient
from portal_app.services.refills import add_working_days

CATEGORY = "messages"
QUEUE_TOPIC = "staff:messages"
PURPOSE = "message_attachment"
# topic -> the pool that answers it. "other" goes to the clinical team: it may hold health details.
TOPIC_POOL = {"clinical": "care_team", "prescription": "care_team", "result": "care_team", "other": "care_team",
              "appointment": "front_desk", "billing": "billing"}
REPLY_WORKING_DAYS = {"care_team": 2, "front_desk": 1, "billing": 3}  # the promise shown before sending
MAX_BODY = 4000
SUBJECT_LENGTH = 60
MAX_ATTACHMENTS = 3
HOURLY_MESSAGES_PATIENT = 20  # per account; a person writing more than this in an hour should call
HOURLY_MESSAGES_STAFF = 300
# per network address, patient side only: a script cycling through accounts still stops. Room for a
# family (or a care home) writing from one connection; staff share the clinic's address, so not them.
HOURLY_MESSAGES_ADDRESS = 60
MAX_ADDRESS = 45  # the longest IPv6 text form
PAGE = 20
MIN_SEARCH = 2
MAX_SEARCH = 100
DIGEST_HOUR = 8  # the late-messages email goes out from 8 am, clinic time
QUEUE_VIEWS = ("open", "unassigned", "mine", "waiting", "overdue", "closed")
PATIENT_SIDE = frozenset({Role.PATIENT, Role.PROXY})

# Words that may mean an emergency (English and Spanish), matched without case or accents.
URGENT_PHRASES = (
    "chest pain", "chest hurts", "can't breathe", "cannot breathe", "cant breathe", "trouble breathing",
    "short of breath", "suicide", "suicidal", "kill myself", "end my life", "overdose", "stroke",
    "face drooping", "slurred speech", "heavy bleeding", "severe bleeding", "won't stop bleeding",
    "passed out", "unconscious", "seizure", "throat swelling", "throat is closing",
    "dolor de pecho", "dolor en el pecho", "no puedo respirar", "falta de aire", "suicidio", "suicida",
    "matarme", "quitarme la vida", "sobredosis", "derrame", "convulsion", "sangrado fuerte", "me desmaye",
)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.replace("\u2019", "'").casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_URGENT = re.compile(r"\b(?:" + "|".join(re.escape(_fold(p)) for p in URGENT_PHRASES) + r")\b")
_LINK = re.compile(r"https?://[^\s<>\"']+", re.IGNORECASE)


def is_urgent(text: object) -> bool:
    """Whether the words might describe an emergency (the page then shows the stronger 911 notice)."""
    return isinstance(text, str) and _URGENT.search(_fold(text)) is not None


def segments(body: str) -> list[tuple[str, str]]:
    """The text split into (text, link) parts: link is "" for plain text, else the web address."""
    parts: list[tuple[str, str]] = []
    at = 0
    for match in _LINK.finditer(body):
        address = match.group(0).rstrip(".,;:!?)")
        if match.start() > at:
            parts.append((body[at:match.start()], ""))
        parts.append((address, address))
        at = match.start() + len(address)
    if at < len(body):
        parts.append((body[at:], ""))
    return parts


# --- views --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expectation:
    pool: str  # the pool code: who will answer
    working_days: int
    reply_by: datetime


@dataclass(frozen=True)
class AttachmentView:
    token: str
    name: str
    kind: str  # jpeg, png, pdf
    size: int


@dataclass(frozen=True)
class MessageView:
    id: int
    author: str
    from_staff: bool
    mine: bool  # written by the reader
    body: str
    created_at: datetime
    attachments: list[AttachmentView]


@dataclass(frozen=True)
class ThreadSummary:
    id: int
    topic: str
    subject: str
    status: str
    last_message_at: datetime
    unread: int


@dataclass(frozen=True)
class Inbox:
    threads: list[ThreadSummary]
    has_more: bool


@dataclass(frozen=True)
class ResultLink:
    """The result a thread asks about: its value's id, name and day (never the value itself)."""

    observation_id: int
    name: str
    when: datetime | None


@dataclass(frozen=True)
class ThreadView:
    """What the patient side sees of a thread: no notes, no assignee, no pool members."""

    id: int
    topic: str
    subject: str
    status: str
    reply_due: datetime | None
    messages: list[MessageView]
    result: ResultLink | None = None


@dataclass(frozen=True)
class NoteView:
    id: int
    author: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class StaffThreadView:
    id: int
    patient_id: int
    patient_name: str
    mrn: str
    topic: str
    subject: str
    status: str
    pool: str
    assignee: str
    assigned_to_me: bool
    urgent: bool
    reply_due: datetime | None
    overdue: bool
    messages: list[MessageView]
    notes: list[NoteView]
    result: ResultLink | None = None


@dataclass(frozen=True)
class QueueItem:
    id: int
    patient_name: str
    mrn: str
    topic: str
    subject: str
    status: str
    pool: str
    assignee: str
    urgent: bool
    last_message_at: datetime
    reply_due: datetime | None
    overdue: bool
    unread: int


@dataclass(frozen=True)
class PoolView:
    code: str
    name: str


@dataclass(frozen=True)
class Queue:
    items: list[QueueItem]
    pools: list[PoolView] = field(default_factory=list)
    has_more: bool = False
    hidden: int = 0  # threads of this view on restricted charts, left out (only the number is shown)


@dataclass(frozen=True)
class CannedView:
    id: int
    title: str
    body: str


# --- helpers ------------------------------------------------------------------------------------


def _label(session: Session, actor: Actor) -> str:
    user = session.get(User, actor.user_id) if actor.user_id is not None else None
    if user is None:
        return actor.display_name[:200]
    return (f"{user.display_name}, {user.title}" if user.title else user.display_name)[:200]


def clean_body(value: object) -> str:
    """The message as written (trimmed): printable text and line breaks, at most MAX_BODY characters."""
    if not isinstance(value, str):
        raise InvalidInput("msg.error.empty")
    text = value.replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput("msg.error.empty")
    if len(text) > MAX_BODY:
        raise InvalidInput("msg.error.too_long", most=MAX_BODY)
    if any(not (ch.isprintable() or ch in "\n\t") for ch in text):
        raise InvalidInput("msg.error.characters")
    return text


def subject_of(body: str) -> str:
    """A thread's subject: the start of its first message, on one line."""
    words = " ".join(body.split())
    return words if len(words) <= SUBJECT_LENGTH else words[:SUBJECT_LENGTH - 1].rstrip() + "…"


def _tokens(value: object) -> list[object]:
    if value is None:
        return []
    if not isinstance(value, (list, tuple)) or len(value) > MAX_ATTACHMENTS:
        raise InvalidInput("msg.error.attachments", most=MAX_ATTACHMENTS)
    return list(value)


def expectation(topic: object, moment: datetime | None = None) -> Expectation:
    """Who answers a topic and by when (working days in the clinic's zone)."""
    if not isinstance(topic, str) or topic not in TOPICS:
        raise InvalidInput("msg.error.topic")
    pool = TOPIC_POOL[topic]
    days = REPLY_WORKING_DAYS[pool]
    return Expectation(pool=pool, working_days=days, reply_by=add_working_days(moment or clock.now(), days))


def _pool(session: Session, code: str) -> MessagePool:
    pool = session.exec(select(MessagePool).where(MessagePool.code == code)).first()
    if pool is None:  # the clinic has not set its pools up yet: make the standard one
        pool = MessagePool(code=code, name=code.replace("_", " ").title(), clinical=code == "care_team")
        session.add(pool)
        session.flush()
    return pool


def _attachments(session: Session, message_ids: list[int]) -> dict[int, list[AttachmentView]]:
    if not message_ids:
        return {}
    rows = session.exec(
        select(StoredFile.attached_to, StoredFile.token, StoredFile.name, StoredFile.kind, StoredFile.size)
        .where(StoredFile.attached_to.in_([f"message:{mid}" for mid in message_ids])).order_by(StoredFile.id)
    ).all()
    found: dict[int, list[AttachmentView]] = {}
    for attached_to, token, name, kind, size in rows:
        found.setdefault(int(attached_to.split(":", 1)[1]), []).append(AttachmentView(token, name, kind, size))
    return found


def _messages(session: Session, thread_id: int, reader: Actor) -> list[MessageView]:
    rows = session.exec(select(Message).where(Message.thread_id == thread_id).order_by(Message.id)).all()
    attached = _attachments(session, [m.id for m in rows])
    return [MessageView(m.id, m.author_label, m.from_staff, m.author_user_id == reader.user_id, m.body,
                        m.created_at, attached.get(m.id, [])) for m in rows]


def _mark_read(session: Session, thread_id: int, user_id: int | None) -> None:
    """Move the reader's marker to the thread's newest message; never backwards (two tabs may race)."""
    if user_id is None:
        return
    newest = session.exec(select(func.max(Message.id)).where(Message.thread_id == thread_id)).one() or 0
    dialect = session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(MessageRead.__table__)
    moment = clock.now()
    session.execute(insert.values(thread_id=thread_id, user_id=user_id, last_read_message_id=newest, read_at=moment)
                    .on_conflict_do_nothing())
    session.execute(update(MessageRead).where(MessageRead.thread_id == thread_id, MessageRead.user_id == user_id,
                                              MessageRead.last_read_message_id < newest)
                    .values(last_read_message_id=newest, read_at=moment).execution_options(synchronize_session=False))


def _unread_query(user_id: int | None, from_staff: bool):
    """Per thread: messages by the other side after the reader's marker."""
    marker = func.coalesce(MessageRead.last_read_message_id, 0)
    return (select(Message.thread_id, func.count(Message.id))
            .join(MessageRead, (MessageRead.thread_id == Message.thread_id) & (MessageRead.user_id == user_id),
                  isouter=True)
            .where(Message.from_staff == from_staff, Message.id > marker)
            .group_by(Message.thread_id))


def _unread_by_thread(session: Session, user_id: int | None, thread_ids: list[int], from_staff: bool) -> dict[int, int]:
    if not thread_ids:
        return {}
    rows = session.exec(_unread_query(user_id, from_staff).where(Message.thread_id.in_(thread_ids))).all()
    return {thread_id: count for thread_id, count in rows}


def _announce(session: Session, patient_id: int) -> None:
    live.announce(session, live.patient_topic(patient_id, "messages"))
    live.announce(session, QUEUE_TOPIC)


def _address(ip: object) -> str | None:
    """The sender's network address as the server saw it, or None when unknown (or not an address)."""
    return ip.strip() if isinstance(ip, str) and 0 < len(ip.strip()) <= MAX_ADDRESS else None


def _check_sending_limit(session: Session, actor: Actor, address: str | None) -> None:
    """A script (or a stuck button) cannot flood the care team's queue or the patient's notices:
    per account, and on the patient side also per network address (many accounts, one sender)."""
    since = clock.now() - timedelta(hours=1)
    most = HOURLY_MESSAGES_STAFF if actor.is_staff else HOURLY_MESSAGES_PATIENT
    sent = session.exec(select(func.count()).select_from(Message).where(
        Message.author_user_id == actor.user_id, Message.created_at >= since)).one()
    if sent >= most:
        raise InvalidInput("msg.error.too_many", most=most)
    if address is None or actor.is_staff:
        return
    from_there = session.exec(select(func.count()).select_from(Message).where(
        Message.source_ip == address, Message.created_at >= since)).one()
    if from_there >= HOURLY_MESSAGES_ADDRESS:
        audit.record_refusal(session, actor, "create", CATEGORY, patient_id=actor.patient_id,
                             detail="refused: hourly message limit for this network address", source_ip=address)
        raise InvalidInput("msg_more.error.too_many_here")


def _add_message(session: Session, actor: Actor, thread: MessageThread, body: str, tokens: list[object],
                 ip: object = None) -> Message:
    """Write one message (and claim its attachments), audited; the caller announces it."""
    from_staff = actor.is_staff
    address = None if from_staff else _address(ip)
    _check_sending_limit(session, actor, address)
    message = Message(thread_id=thread.id, author_user_id=actor.user_id, author_label=_label(session, actor),
                      from_staff=from_staff, body=body, source_ip=address)
    session.add(message)
    session.flush()
    for token in tokens:
        files.claim(session, actor, token, PURPOSE, f"message:{message.id}")
    thread.last_message_at = message.created_at
    session.add(thread)
    _mark_read(session, thread.id, actor.user_id)
    audit.record(session, actor, "create", CATEGORY, patient_id=thread.patient_id,
                 detail=f"message {message.id} in thread {thread.id}, {len(tokens)} attachment(s)")
    return message


def _refuse_thread(session: Session, actor: Actor | None, patient_id: int | None, verb: str, detail: str) -> None:
    audit.record_refusal(session, actor, verb, CATEGORY, patient_id=patient_id, detail=f"refused: {detail}")
    raise NotFound("msg.error.no_thread")


# --- patient side -------------------------------------------------------------------------------


def _patient_thread(session: Session, actor: Actor | None, patient_id: int, thread_id: object,
                    action: str) -> MessageThread:
    access.require_patient_access(session, actor, patient_id, action)
    thread = session.get(MessageThread, thread_id) if is_id(thread_id) else None
    if thread is None or thread.patient_id != patient_id:
        _refuse_thread(session, actor, patient_id, "read" if action == "messages.read" else "update",
                       f"thread {thread_id!r} is not in this chart")
    return thread


def unread_count(session: Session, actor: Actor | None, patient_id: int) -> int:
    """How many care-team messages in this chart the reader has not opened (for badges)."""
    access.require_patient_access(session, actor, patient_id, "messages.read")
    query = _unread_query(actor.user_id, True).join(MessageThread, MessageThread.id == Message.thread_id) \
        .where(MessageThread.patient_id == patient_id)
    return sum(count for _thread, count in session.exec(query).all())


def badge_count(session: Session, actor: Actor | None, patient_id: int) -> int:
    """The tab bar's unread count; 0 where this person may not read the chart's messages. Every
    patient page asks, so such a "no" is not audited as a refused read (nothing was read)."""
    if not access.check_patient_access(session, actor, patient_id, "messages.read").allowed:
        return 0
    return unread_count(session, actor, patient_id)


def _inbox_page(session: Session, actor: Actor, patient_id: int, rows: list[MessageThread], detail: str) -> Inbox:
    """A page of threads (``PAGE + 1`` rows were read, to know whether more follow), audited as read."""
    shown = rows[:PAGE]
    unread = _unread_by_thread(session, actor.user_id, [t.id for t in shown], True)
    audit.record(session, actor, "read", CATEGORY, patient_id=patient_id, detail=detail)
    return Inbox(
        threads=[ThreadSummary(t.id, t.topic, t.subject, t.status, t.last_message_at, unread.get(t.id, 0))
                 for t in shown],
        has_more=len(rows) > PAGE)


def inbox(session: Session, actor: Actor | None, patient_id: int, page: object = 0) -> Inbox:
    """The chart's threads, newest first, a page at a time, with unread counts."""
    access.require_patient_access(session, actor, patient_id, "messages.read")
    number = page if is_id(page) or page == 0 else 0
    rows = session.exec(
        select(MessageThread).where(MessageThread.patient_id == patient_id)
        .order_by(MessageThread.last_message_at.desc(), MessageThread.id.desc()).offset(number * PAGE).limit(PAGE + 1)
    ).all()
    return _inbox_page(session, actor, patient_id, rows, f"inbox page {number}")


def search(session: Session, actor: Actor | None, patient_id: int, words: object, page: object = 0) -> Inbox:
    """The chart's threads whose messages hold these words (any case), newest first."""
    access.require_patient_access(session, actor, patient_id, "messages.read")
    if not isinstance(words, str) or not MIN_SEARCH <= len(words.strip()) <= MAX_SEARCH:
        raise InvalidInput("msg.error.search", least=MIN_SEARCH, most=MAX_SEARCH)
    pattern = "%" + words.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    number = page if is_id(page) or page == 0 else 0
    matching = (select(Message.thread_id).join(MessageThread, MessageThread.id == Message.thread_id)
                .where(MessageThread.patient_id == patient_id, func.lower(Message.body).like(pattern, escape="\\")))
    rows = session.exec(
        select(MessageThread).where(MessageThread.patient_id == patient_id, MessageThread.id.in_(matching))
        .order_by(MessageThread.last_message_at.desc(), MessageThread.id.desc()).offset(number * PAGE).limit(PAGE + 1)
    ).all()
    return _inbox_page(session, actor, patient_id, rows, f"message search page {number}")


def asked_result(session: Session, actor: Actor | None, patient_id: int, observation_id: object) -> ResultLink:
    """The result a new "test result" message is about, as the writer sees it: released, on this
    chart, readable by them (``record.result_detail`` checks and audits all three)."""
    detail = record.result_detail(session, actor, patient_id, observation_id)
    return ResultLink(detail.value.id, detail.value.name, detail.group.when)


def start_thread(session: Session, actor: Actor | None, patient_id: int, topic: object, body: object,
                 attachments: object = None, result_id: object = None, ip: object = None) -> int:
    """A patient (or proxy) writes to the care team; the topic picks the pool and the promised reply time.
    A "result" message may name the result it asks about (``result_id``), so staff see which one."""
    access.require_patient_access(session, actor, patient_id, "messages.write")
    if actor.role not in PATIENT_SIDE:
        raise PermissionDenied()
    promise = expectation(topic)
    text = clean_body(body)
    tokens = _tokens(attachments)
    if result_id is not None and topic != "result":
        raise InvalidInput("msg_more.error.result_topic")
    about = asked_result(session, actor, patient_id, result_id) if result_id is not None else None
    moment = clock.now()
    thread = MessageThread(patient_id=patient_id, topic=topic, subject=subject_of(text), pool_id=_pool(session, promise.pool).id,
                           status="open", started_by=actor.user_id, urgent=is_urgent(text), reply_due=promise.reply_by,
                           last_message_at=moment, created_at=moment,
                           result_observation_id=about.observation_id if about else None)
    session.add(thread)
    session.flush()
    _add_message(session, actor, thread, text, tokens, ip)
    message_drafts.discard(session, actor, patient_id, "new")
    _announce(session, patient_id)
    return thread.id


def read_thread(session: Session, actor: Actor | None, patient_id: int, thread_id: object) -> ThreadView:
    """One thread as the patient side sees it; opening it marks it read for this reader."""
    thread = _patient_thread(session, actor, patient_id, thread_id, "messages.read")
    _mark_read(session, thread.id, actor.user_id)
    audit.record(session, actor, "read", CATEGORY, patient_id=patient_id, detail=f"thread {thread.id}")
    return ThreadView(thread.id, thread.topic, thread.subject, thread.status,
                      thread.reply_due if thread.status == "open" else None, _messages(session, thread.id, actor),
                      _result_link(session, thread))


def _result_link(session: Session, thread: MessageThread) -> ResultLink | None:
    """The result a thread asks about (its name and day; the reader already reached the thread)."""
    obs = session.get(Observation, thread.result_observation_id) if thread.result_observation_id else None
    return ResultLink(obs.id, obs.name, obs.effective_at) if obs is not None else None


def reply(session: Session, actor: Actor | None, patient_id: int, thread_id: object, body: object,
          attachments: object = None, ip: object = None) -> int:
    """The patient side answers in a thread; a closed thread opens again, with a new promised reply time."""
    thread = _patient_thread(session, actor, patient_id, thread_id, "messages.write")
    if actor.role not in PATIENT_SIDE:
        raise PermissionDenied()
    text = clean_body(body)
    tokens = _tokens(attachments)
    if thread.status != "open":
        thread.reply_due = expectation(thread.topic).reply_by
    thread.status = "open"
    thread.urgent = thread.urgent or is_urgent(text)
    message = _add_message(session, actor, thread, text, tokens, ip)
    message_drafts.discard(session, actor, patient_id, f"thread:{thread.id}")
    _announce(session, patient_id)
    return message.id


# --- care-team side -----------------------------------------------------------------------------


def my_pools(session: Session, actor: Actor) -> list[MessagePool]:
    """The pools this staff member works; a clinical pool only for nurses and clinicians."""
    if actor.user_id is None:
        return []
    rows = session.exec(
        select(MessagePool).join(MessagePoolMember, MessagePoolMember.pool_id == MessagePool.id)
        .where(MessagePoolMember.user_id == actor.user_id).order_by(MessagePool.id)
    ).all()
    return [pool for pool in rows if not pool.clinical or actor.role in CLINICAL]


def _require_queue(session: Session, actor: Actor | None, verb: str = "read") -> Actor:
    """Only the care team works the queue; anyone else trying is in the audit trail."""
    if not access.allowed(actor, "messages.queue"):
        audit.record_refusal(session, actor, verb, CATEGORY, detail="refused: the message queue")
        raise PermissionDenied()
    return actor


def _staff_thread(session: Session, actor: Actor | None, thread_id: object, action: str) -> tuple[MessageThread, MessagePool]:
    _require_queue(session, actor, "read" if action == "messages.read" else "update")
    thread = session.get(MessageThread, thread_id) if is_id(thread_id) else None
    pools = {pool.id: pool for pool in my_pools(session, actor)}
    verb = "read" if action == "messages.read" else "update"
    if thread is None or thread.pool_id not in pools:
        _refuse_thread(session, actor, thread.patient_id if thread else None, verb,
                       f"thread {thread_id!r} is not in this person's pools")
    access.require_patient_access(session, actor, thread.patient_id, action)
    return thread, pools[thread.pool_id]


def _names(session: Session, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = session.exec(select(User.id, User.display_name).where(User.id.in_(user_ids))).all()
    return dict(rows)


def _overdue(thread: MessageThread, moment: datetime) -> bool:
    return thread.status == "open" and thread.reply_due is not None and clock.as_utc(thread.reply_due) < moment


def queue(session: Session, actor: Actor | None, view: object = "open", pool: object = "", page: object = 0) -> Queue:
    """The staff queue: threads of the reader's pools, by view (open, unassigned, mine, waiting,
    overdue, closed), newest first, a page at a time. Restricted charts are left out here, in the
    query, so that pages stay full (they open only by break-glass, one thread at a time). Each
    listed thread is a read of that patient's messages, audited on their chart."""
    actor = _require_queue(session, actor)
    if not isinstance(view, str) or view not in QUEUE_VIEWS:
        raise InvalidInput("msg.error.view")
    pools = my_pools(session, actor)
    chosen = [p for p in pools if p.code == pool] if pool else pools
    number = page if is_id(page) or page == 0 else 0
    if not chosen:
        return Queue(items=[], pools=[PoolView(p.code, p.name) for p in pools])
    moment = clock.now()
    where = [MessageThread.pool_id.in_([p.id for p in chosen])]
    if view in ("open", "unassigned", "mine", "overdue"):
        where.append(MessageThread.status == "open")
    if view == "unassigned":
        where.append(MessageThread.assignee_user_id.is_(None))
    elif view == "mine":
        where.append(MessageThread.assignee_user_id == actor.user_id)
    elif view == "overdue":
        where.append(MessageThread.reply_due < moment)
    elif view in ("waiting", "closed"):
        where.append(MessageThread.status == view)
    # How many are left out is said (a number only: no name, no thread), so no one thinks the queue is empty.
    hidden = session.exec(select(func.count(MessageThread.id)).join(Patient, Patient.id == MessageThread.patient_id)
                          .where(*where, Patient.restricted.is_(True))).one()
    query = (select(MessageThread, Patient).join(Patient, Patient.id == MessageThread.patient_id)
             .where(*where, Patient.restricted.is_(False)))
    # Threads owing an answer: urgent words first, then the earliest promise; the others newest first.
    order = (MessageThread.urgent.desc(), MessageThread.reply_due.asc(), MessageThread.id.asc()) \
        if view in ("open", "unassigned", "mine", "overdue") \
        else (MessageThread.last_message_at.desc(), MessageThread.id.desc())
    rows = session.exec(query.order_by(*order).offset(number * PAGE).limit(PAGE + 1)).all()
    shown = rows[:PAGE]
    names = _names(session, {t.assignee_user_id for t, _p in shown if t.assignee_user_id is not None})
    unread = _unread_by_thread(session, actor.user_id, [t.id for t, _p in shown], False)
    by_id = {p.id: p for p in pools}
    audit.record_each(session, actor, "read", CATEGORY,
                      [(thread.patient_id, f"thread {thread.id} in the message queue ({view})") for thread, _p in shown])
    items = [QueueItem(t.id, f"{p.given_name} {p.family_name}", p.mrn, t.topic, t.subject, t.status,
                       by_id[t.pool_id].name, names.get(t.assignee_user_id, ""), t.urgent, t.last_message_at,
                       t.reply_due, _overdue(t, moment), unread.get(t.id, 0)) for t, p in shown]
    return Queue(items=items, pools=[PoolView(p.code, p.name) for p in pools], has_more=len(rows) > PAGE,
                 hidden=hidden)


def staff_thread(session: Session, actor: Actor | None, thread_id: object) -> StaffThreadView:
    """One thread for the care team, with its internal notes; opening it marks it read for this reader."""
    thread, pool = _staff_thread(session, actor, thread_id, "messages.read")
    patient = session.get(Patient, thread.patient_id)
    notes = session.exec(select(MessageNote).where(MessageNote.thread_id == thread.id).order_by(MessageNote.id)).all()
    assignee = _names(session, {thread.assignee_user_id} if thread.assignee_user_id else set())
    _mark_read(session, thread.id, actor.user_id)
    audit.record(session, actor, "read", CATEGORY, patient_id=thread.patient_id, detail=f"thread {thread.id}")
    return StaffThreadView(
        id=thread.id, patient_id=thread.patient_id, patient_name=f"{patient.given_name} {patient.family_name}",
        mrn=patient.mrn, topic=thread.topic, subject=thread.subject, status=thread.status, pool=pool.name,
        assignee=assignee.get(thread.assignee_user_id, ""), assigned_to_me=thread.assignee_user_id == actor.user_id,
        urgent=thread.urgent, reply_due=thread.reply_due, overdue=_overdue(thread, clock.now()),
        messages=_messages(session, thread.id, actor),
        notes=[NoteView(n.id, n.author_label, n.body, n.created_at) for n in notes], result=_result_link(session, thread))


def assign(session: Session, actor: Actor | None, thread_id: object, to_me: object = True) -> None:
    """Take a thread (``to_me``) or hand it back to the pool."""
    thread, _pool_row = _staff_thread(session, actor, thread_id, "messages.write")
    thread.assignee_user_id = actor.user_id if to_me is True else None
    session.add(thread)
    audit.record(session, actor, "update", CATEGORY, patient_id=thread.patient_id,
                 detail=f"thread {thread.id} {'assigned to' if to_me is True else 'released by'} user {actor.user_id}")
    _announce(session, thread.patient_id)


def set_status(session: Session, actor: Actor | None, thread_id: object, status: object) -> None:
    """Close a thread, or open it again (it then owes an answer again)."""
    thread, _pool_row = _staff_thread(session, actor, thread_id, "messages.write")
    if not isinstance(status, str) or status not in STATUSES:
        raise InvalidInput("msg.error.status")
    if status == "open" and thread.status != "open":
        thread.reply_due = expectation(thread.topic).reply_by
    previous, thread.status = thread.status, status
    session.add(thread)
    audit.record(session, actor, "update", CATEGORY, patient_id=thread.patient_id,
                 detail=f"thread {thread.id}: {previous} -> {status}")
    _announce(session, thread.patient_id)


def add_note(session: Session, actor: Actor | None, thread_id: object, body: object) -> int:
    """An internal note for the care team; it never reaches the patient."""
    thread, _pool_row = _staff_thread(session, actor, thread_id, "messages.write")
    note = MessageNote(thread_id=thread.id, author_user_id=actor.user_id, author_label=_label(session, actor),
                       body=clean_body(body))
    session.add(note)
    session.flush()
    audit.record(session, actor, "create", CATEGORY, patient_id=thread.patient_id,
                 detail=f"internal note {note.id} on thread {thread.id}")
    live.announce(session, QUEUE_TOPIC)  # staff only: the patient's page has nothing new to show
    return note.id


def staff_reply(session: Session, actor: Actor | None, thread_id: object, body: object,
                attachments: object = None) -> int:
    """The care team answers; the patient (and proxies with "messages") are told, without the text."""
    thread, _pool_row = _staff_thread(session, actor, thread_id, "messages.write")
    text = clean_body(body)
    tokens = _tokens(attachments)
    if thread.assignee_user_id is None:
        thread.assignee_user_id = actor.user_id  # who answered owns the follow-up
    thread.status, thread.reply_due = "waiting", None
    message = _add_message(session, actor, thread, text, tokens)
    queue_to_patient(session, thread.patient_id, "messages", dedupe_key=f"message:{message.id}",
                     template_key="new_message")
    _announce(session, thread.patient_id)
    return message.id


def staff_start_thread(session: Session, actor: Actor | None, mrn: object, topic: object, body: object,
                       attachments: object = None) -> int:
    """The care team writes first (e.g. about a result, with the report as a file), in a pool of their
    own; the patient is told."""
    actor = _require_queue(session, actor, "create")
    promise = expectation(topic)
    pool = next((p for p in my_pools(session, actor) if p.code == promise.pool), None)
    if pool is None:
        audit.record_refusal(session, actor, "create", CATEGORY, detail=f"refused: not in the {promise.pool} pool")
        raise PermissionDenied("msg.error.not_your_pool")
    text = clean_body(body)
    tokens = _tokens(attachments)
    patient = session.exec(select(Patient).where(Patient.mrn == mrn.strip())).first() \
        if isinstance(mrn, str) and 0 < len(mrn.strip()) <= 32 else None
    if patient is None:
        audit.record_refusal(session, actor, "create", CATEGORY, detail="refused: no chart with that MRN")
        raise NotFound("msg.error.no_patient")
    access.require_patient_access(session, actor, patient.id, "messages.write")
    moment = clock.now()
    thread = MessageThread(patient_id=patient.id, topic=topic, subject=subject_of(text), pool_id=pool.id,
                           status="waiting", assignee_user_id=actor.user_id, started_by=actor.user_id,
                           last_message_at=moment, created_at=moment)
    session.add(thread)
    session.flush()
    message = _add_message(session, actor, thread, text, tokens)
    queue_to_patient(session, patient.id, "messages", dedupe_key=f"message:{message.id}", template_key="new_message")
    _announce(session, patient.id)
    return thread.id


def canned_replies(session: Session, actor: Actor | None, thread_id: object) -> list[CannedView]:
    """The replies staff may start from for this thread's pool (and those for every pool)."""
    thread, _pool_row = _staff_thread(session, actor, thread_id, "messages.read")
    rows = session.exec(select(CannedReply).where(or_(CannedReply.pool_id.is_(None), CannedReply.pool_id == thread.pool_id))
                        .order_by(CannedReply.title)).all()
    return [CannedView(r.id, r.title, r.body) for r in rows]


def overdue_digest(session: Session) -> int:
    """Once a day (from DIGEST_HOUR in the clinic's zone), each pool member with late threads gets one
    email saying how many; safe to run hourly or in two schedulers (one dedupe key per person and day)."""
    local = localtime.local(clock.now())
    if local.hour < DIGEST_HOUR:
        return 0
    moment = clock.now()
    late = session.exec(
        select(MessageThread.pool_id, func.count(MessageThread.id))
        .where(MessageThread.status == "open", MessageThread.reply_due < moment)
        .group_by(MessageThread.pool_id)
    ).all()
    by_pool = dict(late)
    if not by_pool:
        return 0
    members = session.exec(
        select(User, MessagePool).join(MessagePoolMember, MessagePoolMember.user_id == User.id)
        .join(MessagePool, MessagePool.id == MessagePoolMember.pool_id)
        .where(MessagePoolMember.pool_id.in_(list(by_pool)), User.is_active.is_(True), User.email.is_not(None))
    ).all()
    counts: dict[int, int] = {}
    people: dict[int, User] = {}
    for user, pool in members:
        if pool.clinical and user.role not in CLINICAL:
            continue
        counts[user.id] = counts.get(user.id, 0) + by_pool[pool.id]
        people[user.id] = user
    queued = 0
    for user_id, count in counts.items():
        user = people[user_id]
        if not notify.is_valid_recipient(Channel.EMAIL, user.email):
            continue
        queued += int(notify.queue(session, dedupe_key=f"messages_overdue:{local.date().isoformat()}:u{user_id}",
                                   channel=Channel.EMAIL, recipient=user.email, kind="messages_overdue",
                                   template_key="messages_overdue", language=user.preferred_language,
                                   params={"count": count}, user_id=user_id))
    return queued


# --- attachments --------------------------------------------------------------------------------


def attachment(session: Session, actor: Actor | None, token: object) -> StoredFile:
    """A message's file for one of the thread's people: the chart's patient side, or its pool's staff.

    Anyone else gets NotFound (audited), exactly as for a file that does not exist.
    """
    row = session.exec(select(StoredFile).where(StoredFile.token == token)).first() \
        if isinstance(token, str) and 20 <= len(token) <= 43 else None
    message_id = row.attached_to.split(":", 1)[1] if row is not None and (row.attached_to or "").startswith("message:") else ""
    message = session.get(Message, int(message_id)) if message_id.isdecimal() else None
    thread = session.get(MessageThread, message.thread_id) if message is not None else None
    if thread is None or actor is None:
        _refuse_thread(session, actor, None, "download", "no such message attachment")
    if actor.is_staff:
        _staff_thread(session, actor, thread.id, "messages.read")
    else:
        _patient_thread(session, actor, thread.patient_id, thread.id, "messages.read")
    audit.record(session, actor, "download", CATEGORY, patient_id=thread.patient_id,
                 detail=f"attachment {row.id} of message {message.id}")
    return row
