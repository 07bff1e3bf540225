"""Secure messaging: the patient's inbox, the care team's queue by pool, who is refused, what is audited,
internal notes that never reach the patient side, notices without text, unread counts."""

from __future__ import annotations

import io
import threading
from datetime import timedelta

import pytest
import time_machine
from PIL import Image
from sqlmodel import Session, select

from portal_app.models.audit import AuditEvent
from portal_app.models.message import MessagePool, MessagePoolMember, MessageRead
from portal_app.models.outbox import OutboxMessage
from portal_app.models.proxy import ProxyGrant
from portal_app.services import files, messages
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied
from tests.services.refill_fixtures import NOW, _user, actor, audit_rows, build, last_audit_id

SECRET = "My knee is swollen after the fall"  # a canary: must never reach a notice or another person


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def clinic(session):
    """The refill clinic (Ana, Ben, staff, a proxy with "medications" only) plus a proxy with
    "messages" and the three pools. The front desk is listed in the clinical pool on purpose."""
    built = build(session)
    helper = _user(session, "helper", "proxy")
    session.add(ProxyGrant(patient_id=built.ana_chart, grantee_user_id=helper.id, scopes="messages",
                           relationship="adult_child", starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(days=99)))
    pools = {}
    for code, clinical in (("care_team", True), ("front_desk", False), ("billing", False)):
        pools[code] = MessagePool(code=code, name=code.replace("_", " ").title(), clinical=clinical)
        session.add(pools[code])
    session.flush()
    members = {"care_team": (built.nurse, built.clinician, built.desk), "front_desk": (built.desk, built.nurse),
               "billing": (built.desk,)}
    for code, people in members.items():
        for person in people:
            session.add(MessagePoolMember(pool_id=pools[code].id, user_id=person.user_id))
    session.commit()
    built.helper = actor(helper)
    return built


def _start(session, clinic, who=None, topic="clinical", body=SECRET, attachments=None):
    thread_id = messages.start_thread(session, who or clinic.ana, clinic.ana_chart, topic, body, attachments)
    session.commit()
    return thread_id


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(out, format="JPEG")
    return out.getvalue()


def test_a_patient_writes_the_nurse_takes_it_notes_and_answers_and_the_patient_reads_it(session, clinic):
    promise = messages.expectation("clinical")
    assert promise.pool == "care_team" and promise.working_days == 2
    assert promise.reply_by.date().isoformat() == "2026-12-04"  # Wednesday + 2 working days
    thread_id = _start(session, clinic)

    queued = messages.queue(session, clinic.nurse, "unassigned")
    assert [(i.id, i.patient_name, i.subject, i.overdue) for i in queued.items] == [
        (thread_id, "Ana Refill", SECRET, False)]
    messages.assign(session, clinic.nurse, thread_id)
    messages.add_note(session, clinic.nurse, thread_id, "Check the X-ray from last week")
    messages.staff_reply(session, clinic.nurse, thread_id, "Please rest it and use ice. Call if it gets worse.")
    session.commit()
    assert messages.queue(session, clinic.nurse, "unassigned").items == []
    assert [i.id for i in messages.queue(session, clinic.nurse, "waiting").items] == [thread_id]
    staff_view = messages.staff_thread(session, clinic.nurse, thread_id)
    assert staff_view.assigned_to_me and staff_view.assignee == "Nurse"
    assert [n.body for n in staff_view.notes] == ["Check the X-ray from last week"]

    assert messages.unread_count(session, clinic.ana, clinic.ana_chart) == 1
    box = messages.inbox(session, clinic.ana, clinic.ana_chart)
    assert [(t.id, t.status, t.unread) for t in box.threads] == [(thread_id, "waiting", 1)]
    view = messages.read_thread(session, clinic.ana, clinic.ana_chart, thread_id)
    session.commit()
    assert [(m.author, m.from_staff, m.mine) for m in view.messages] == [("Ana", False, True), ("Nurse, RN", True, False)]
    assert "X-ray" not in repr(view)  # the internal note is nowhere in what the patient side gets
    assert messages.unread_count(session, clinic.ana, clinic.ana_chart) == 0
    # The proxy with "messages" has their own marker: still unread for them.
    assert messages.unread_count(session, clinic.helper, clinic.ana_chart) == 1


def test_the_notice_of_a_reply_holds_no_text_and_reaches_only_those_with_messages(session, clinic):
    thread_id = _start(session, clinic)
    messages.staff_reply(session, clinic.nurse, thread_id, "Your knee X-ray shows no fracture.")
    session.commit()
    rows = session.exec(select(OutboxMessage)).all()
    assert {row.recipient for row in rows} == {"ana@example.com", "helper@example.com"}
    assert {row.kind for row in rows} == {"new_message"}
    for row in rows:
        for word in ("knee", "fracture", "X-ray", "swollen"):
            assert word not in row.subject and word not in row.body


def test_another_patient_cannot_read_post_or_download_and_is_audited(session, clinic):
    upload = files.store_upload(session, clinic.ana, "message_attachment",
                                "knee.jpg", _photo())
    thread_id = _start(session, clinic, attachments=[upload.token])
    since = last_audit_id(session)
    with pytest.raises(NotFound):
        messages.read_thread(session, clinic.ben, clinic.ana_chart, thread_id)
    session.rollback()
    with pytest.raises(NotFound):
        messages.read_thread(session, clinic.ben, clinic.ben_chart, thread_id)  # his own chart, her thread
    session.rollback()
    with pytest.raises(NotFound):
        messages.reply(session, clinic.ben, clinic.ben_chart, thread_id, "Hello")
    session.rollback()
    with pytest.raises(NotFound):
        messages.attachment(session, clinic.ben, upload.token)
    session.rollback()
    refused = [r for r in audit_rows(session, since) if r.outcome == "denied"]
    assert len(refused) == 4 and {r.actor_user_id for r in refused} == {clinic.ben.user_id}
    assert messages.inbox(session, clinic.ben, clinic.ben_chart).threads == []
    assert messages.attachment(session, clinic.ana, upload.token).data[:3] == b"\xff\xd8\xff"


def test_proxies_need_the_messages_scope(session, clinic):
    with pytest.raises(PermissionDenied) as refused:
        messages.inbox(session, clinic.parent, clinic.ana_chart)  # "medications" only
    assert refused.value.key == "access.error.proxy_scope"
    session.rollback()
    with pytest.raises(PermissionDenied):
        messages.start_thread(session, clinic.parent, clinic.ana_chart, "clinical", "Hello")
    session.rollback()
    thread_id = _start(session, clinic, who=clinic.helper, body="Writing for my mother")
    view = messages.read_thread(session, clinic.ana, clinic.ana_chart, thread_id)
    assert view.messages[0].author == "Helper"


def test_anonymous_and_the_wrong_staff_roles_are_refused(session, clinic):
    thread_id = _start(session, clinic)
    for call in (lambda: messages.inbox(session, None, clinic.ana_chart),
                 lambda: messages.start_thread(session, None, clinic.ana_chart, "clinical", "Hi"),
                 lambda: messages.queue(session, None),
                 lambda: messages.staff_thread(session, None, thread_id),
                 lambda: messages.queue(session, clinic.admin),
                 lambda: messages.staff_thread(session, clinic.admin, thread_id),
                 lambda: messages.start_thread(session, clinic.nurse, clinic.ana_chart, "clinical", "Hi"),
                 lambda: messages.reply(session, clinic.nurse, clinic.ana_chart, thread_id, "Hi")):
        with pytest.raises((PermissionDenied, NotFound)):
            call()
        session.rollback()


def test_the_front_desk_sees_only_its_pools_never_a_clinical_one(session, clinic):
    clinical = _start(session, clinic, topic="result")
    booking = _start(session, clinic, topic="appointment", body="Can I move my visit to Friday?")
    assert messages.expectation("appointment").working_days == 1
    desk_queue = messages.queue(session, clinic.desk, "open")
    assert [i.id for i in desk_queue.items] == [booking]
    assert {p.code for p in desk_queue.pools} == {"front_desk", "billing"}  # listed in care_team, still kept out
    for call in (lambda: messages.staff_thread(session, clinic.desk, clinical),
                 lambda: messages.staff_reply(session, clinic.desk, clinical, "Hi"),
                 lambda: messages.add_note(session, clinic.desk, clinical, "Hi")):
        with pytest.raises(NotFound):
            call()
        session.rollback()
    messages.staff_reply(session, clinic.desk, booking, "Friday at 10 works.")
    session.commit()
    # A clinician outside the front-desk pool does not see the booking thread.
    assert [i.id for i in messages.queue(session, clinic.clinician, "open").items] == [clinical]


def test_reads_and_writes_are_audited_without_the_text(session, clinic):
    since = last_audit_id(session)
    thread_id = _start(session, clinic)
    messages.read_thread(session, clinic.ana, clinic.ana_chart, thread_id)
    messages.staff_thread(session, clinic.nurse, thread_id)
    messages.add_note(session, clinic.nurse, thread_id, "Internal words")
    session.commit()
    rows = [r for r in audit_rows(session, since) if r.category == "messages"]
    assert [(r.action, r.actor_user_id) for r in rows] == [
        ("create", clinic.ana.user_id), ("read", clinic.ana.user_id), ("read", clinic.nurse.user_id),
        ("create", clinic.nurse.user_id)]
    assert all(r.patient_id == clinic.ana_chart for r in rows)
    assert not any("knee" in r.detail or "Internal" in r.detail for r in session.exec(select(AuditEvent)).all())


def test_each_thread_in_the_queue_is_a_read_on_its_chart_and_refused_callers_are_audited(session, clinic):
    first = _start(session, clinic)
    since = last_audit_id(session)
    listed = messages.queue(session, clinic.nurse, "open")
    session.commit()
    rows = [r for r in audit_rows(session, since) if r.category == "messages"]
    assert [i.id for i in listed.items] == [first]
    assert [(r.action, r.actor_user_id, r.patient_id, r.outcome) for r in rows] == [
        ("read", clinic.nurse.user_id, clinic.ana_chart, "success")]
    since = last_audit_id(session)
    for call in (lambda: messages.queue(session, clinic.admin),
                 lambda: messages.staff_thread(session, clinic.admin, first)):
        with pytest.raises(PermissionDenied):
            call()
        session.rollback()
    refused = [r for r in audit_rows(session, since) if r.category == "messages"]
    assert [(r.actor_user_id, r.outcome) for r in refused] == [(clinic.admin.user_id, "denied")] * 2


def test_twenty_messages_an_hour_then_a_clear_wait_and_nothing_written(session, clinic):
    from portal_app.models.message import Message

    thread_id = _start(session, clinic, body="First")
    for number in range(messages.HOURLY_MESSAGES_PATIENT - 1):
        messages.reply(session, clinic.ana, clinic.ana_chart, thread_id, f"More {number}")
    session.commit()
    count = len(session.exec(select(Message)).all())
    for call in (lambda: messages.reply(session, clinic.ana, clinic.ana_chart, thread_id, "One too many"),
                 lambda: messages.start_thread(session, clinic.ana, clinic.ana_chart, "clinical", "Another")):
        with pytest.raises(InvalidInput) as refused:
            call()
        assert (refused.value.key, refused.value.params) == ("msg.error.too_many", {"most": 20})
        session.rollback()
    assert len(session.exec(select(Message)).all()) == count
    messages.staff_reply(session, clinic.nurse, thread_id, "The care team is not limited by Ana's count")
    with time_machine.travel(NOW + timedelta(hours=1, minutes=1), tick=False):
        messages.reply(session, clinic.ana, clinic.ana_chart, thread_id, "An hour later")
        session.commit()


def test_text_is_kept_exactly_as_written_and_bad_text_is_refused(session, clinic):
    payload = '<script>alert("x")</script> <b>bold</b> **not markdown**'
    thread_id = _start(session, clinic, body=payload)
    assert messages.read_thread(session, clinic.ana, clinic.ana_chart, thread_id).messages[0].body == payload
    for body, key in (("", "msg.error.empty"), ("   ", "msg.error.empty"), (None, "msg.error.empty"),
                      ("x" * (messages.MAX_BODY + 1), "msg.error.too_long"), ("bell\x07", "msg.error.characters")):
        with pytest.raises(InvalidInput) as refused:
            messages.start_thread(session, clinic.ana, clinic.ana_chart, "clinical", body)
        assert refused.value.key == key
        session.rollback()
    with pytest.raises(InvalidInput) as refused:
        messages.start_thread(session, clinic.ana, clinic.ana_chart, "gossip", "Hello")
    assert refused.value.key == "msg.error.topic"
    session.rollback()
    with pytest.raises(InvalidInput) as refused:
        messages.start_thread(session, clinic.ana, clinic.ana_chart, "clinical", "Hello", ["a", "b", "c", "d"])
    assert refused.value.key == "msg.error.attachments"


def test_links_are_split_out_as_plain_addresses():
    assert messages.segments("See https://example.org/a?b=1. Thanks") == [
        ("See ", ""), ("https://example.org/a?b=1", "https://example.org/a?b=1"), (". Thanks", "")]
    assert messages.segments("javascript:alert(1)") == [("javascript:alert(1)", "")]


@pytest.mark.parametrize("text, urgent", [
    ("I have chest pain since this morning", True), ("I CAN’T BREATHE well", True),
    ("Tengo dolor de pecho", True), ("He pensado en el suicidio", True), ("having suicidal thoughts", True),
    ("Can I get my flu shot?", False), ("My chest x-ray copy please", False),
])
def test_urgent_words_are_recognised_in_english_and_spanish(text, urgent):
    assert messages.is_urgent(text) is urgent


def test_an_urgent_message_is_sent_anyway_and_flagged_for_the_queue(session, clinic):
    thread_id = _start(session, clinic, body="Sudden chest pain when I walk")
    assert [i.urgent for i in messages.queue(session, clinic.nurse) .items if i.id == thread_id] == [True]


def test_overdue_threads_show_in_the_overdue_view_and_a_patient_reply_reopens(session, clinic):
    thread_id = _start(session, clinic)
    assert messages.queue(session, clinic.nurse, "overdue").items == []
    with time_machine.travel(NOW + timedelta(days=3), tick=False):  # Saturday: past Friday's promise
        items = messages.queue(session, clinic.nurse, "overdue").items
        assert [(i.id, i.overdue) for i in items] == [(thread_id, True)]
        messages.set_status(session, clinic.nurse, thread_id, "closed")
        session.commit()
        assert messages.queue(session, clinic.nurse, "overdue").items == []
        messages.reply(session, clinic.ana, clinic.ana_chart, thread_id, "It still hurts")
        session.commit()
        item = messages.queue(session, clinic.nurse, "open").items[0]
        assert item.status == "open" and not item.overdue and item.unread == 2


def test_attachments_go_only_to_the_threads_people(session, clinic):
    upload = files.store_upload(session, clinic.ana, "message_attachment", "knee.jpg", _photo())
    thread_id = _start(session, clinic, attachments=[upload.token])
    shown = messages.read_thread(session, clinic.ana, clinic.ana_chart, thread_id).messages[0].attachments
    assert [(a.name, a.kind) for a in shown] == [("knee.jpg", "jpeg")]
    assert messages.attachment(session, clinic.nurse, upload.token).id is not None
    assert messages.attachment(session, clinic.helper, upload.token).id is not None
    session.commit()
    for who in (clinic.desk, clinic.parent, clinic.ben, clinic.admin, None):
        with pytest.raises((NotFound, PermissionDenied)):
            messages.attachment(session, who, upload.token)
        session.rollback()
    with pytest.raises(NotFound):  # claimed once: it cannot be sent again in another thread
        messages.start_thread(session, clinic.ana, clinic.ana_chart, "clinical", "again", [upload.token])
    session.rollback()
    downloads = [r for r in audit_rows(session) if r.action == "download" and r.outcome == "success"]
    assert len(downloads) == 2


def test_unread_counts_stay_right_with_concurrent_readers(session, clinic, database_url):
    from portal_app.db import get_engine

    thread_id = _start(session, clinic)
    for number in range(3):
        messages.staff_reply(session, clinic.nurse, thread_id, f"Answer {number}")
    session.commit()
    errors = []
    barrier = threading.Barrier(4)

    def read() -> None:
        try:
            with Session(get_engine(database_url)) as own:
                barrier.wait()
                messages.read_thread(own, clinic.ana, clinic.ana_chart, thread_id)
                own.commit()
        except Exception as failure:  # noqa: BLE001 - reported below
            errors.append(failure)

    readers = [threading.Thread(target=read) for _ in range(4)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    assert errors == []
    session.expire_all()
    assert messages.unread_count(session, clinic.ana, clinic.ana_chart) == 0
    markers = session.exec(select(MessageRead).where(MessageRead.user_id == clinic.ana.user_id)).all()
    assert len(markers) == 1
    messages.staff_reply(session, clinic.nurse, thread_id, "One more")
    session.commit()
    assert messages.unread_count(session, clinic.ana, clinic.ana_chart) == 1


def test_the_demo_clinic_has_pools_and_an_overdue_question(session):
    from portal_app.services import demo_clinic
    from portal_app.models.people import User
    from tests.services.refill_fixtures import actor as as_actor

    demo_clinic.seed(session)
    session.commit()
    people = {u.username: as_actor(u) for u in session.exec(select(User)).all()}
    overdue = messages.queue(session, people["rn.baptiste"], "overdue").items
    assert [i.patient_name for i in overdue] == ["Walter Pimm"]
    assert messages.queue(session, people["desk.tanaka"], "open").items == []  # clinical questions only so far
    assert {p.code for p in messages.queue(session, people["desk.tanaka"]).pools} == {"front_desk", "billing"}
    rosa = people["rosa.delgado"]
    assert messages.unread_count(session, rosa, rosa.patient_id) == 1


def test_urgent_threads_come_first_in_the_queue_then_the_earliest_promise(session, clinic):
    first = _start(session, clinic, body="A question about my diet")
    second = _start(session, clinic, topic="prescription", body="Refill question")
    urgent = _start(session, clinic, body="I feel short of breath since last night")
    assert [i.id for i in messages.queue(session, clinic.nurse).items] == [urgent, first, second]


def test_a_draft_survives_the_page_closing_and_goes_when_the_message_is_sent(session, clinic):
    from portal_app.services import message_drafts

    message_drafts.save(session, clinic.ana, clinic.ana_chart, None, "billing", "About my last bill")
    session.commit()
    assert message_drafts.load(session, clinic.ana, clinic.ana_chart) == message_drafts.Draft("billing", "About my last bill")
    assert message_drafts.load(session, clinic.helper, clinic.ana_chart) is None  # each person has their own
    message_drafts.save(session, clinic.ana, clinic.ana_chart, None, "billing", "About my last bill, from May")
    thread_id = _start(session, clinic, topic="billing", body="About my last bill, from May")
    assert message_drafts.load(session, clinic.ana, clinic.ana_chart) is None
    message_drafts.save(session, clinic.ana, clinic.ana_chart, thread_id, None, "One more thing")
    session.commit()
    assert message_drafts.load(session, clinic.ana, clinic.ana_chart, thread_id).body == "One more thing"
    messages.reply(session, clinic.ana, clinic.ana_chart, thread_id, "One more thing: the date")
    session.commit()
    assert message_drafts.load(session, clinic.ana, clinic.ana_chart, thread_id) is None
    with pytest.raises(NotFound):
        message_drafts.save(session, clinic.ben, clinic.ben_chart, thread_id, None, "Sneaky")
    session.rollback()
    with pytest.raises(PermissionDenied):
        message_drafts.save(session, clinic.parent, clinic.ana_chart, None, None, "No messages scope")


def test_search_finds_words_in_my_messages_only(session, clinic):
    knee = _start(session, clinic)
    _start(session, clinic, topic="billing", body="100% of the bill_total?")
    messages.staff_reply(session, clinic.nurse, knee, "Use an ICE pack")
    session.commit()
    assert [t.id for t in messages.search(session, clinic.ana, clinic.ana_chart, "ice pack").threads] == [knee]
    assert [t.subject for t in messages.search(session, clinic.ana, clinic.ana_chart, "100%").threads] == [
        "100% of the bill_total?"]
    assert messages.search(session, clinic.ana, clinic.ana_chart, "0_").threads == []  # _ is not a wildcard
    assert messages.search(session, clinic.ben, clinic.ben_chart, "knee").threads == []
    with pytest.raises(InvalidInput):
        messages.search(session, clinic.ana, clinic.ana_chart, "k")


def test_staff_get_one_email_a_day_about_late_messages_with_no_patient_details(session, clinic):
    from portal_app.jobs import messages as message_jobs

    _start(session, clinic)  # clinical: the nurse and clinician's pool
    _start(session, clinic, topic="appointment", body="Move my visit please")  # front desk and nurse
    assert messages.overdue_digest(session) == 0  # nothing is late yet
    with time_machine.travel(NOW + timedelta(days=5), tick=False):  # Monday 9 am: both past their promise
        assert message_jobs.overdue_digest(session.get_bind().url.render_as_string(hide_password=False)) == 3
        assert messages.overdue_digest(session) == 0  # once a day, however often it runs
        session.commit()
    rows = {row.recipient: row for row in session.exec(select(OutboxMessage)).all()}
    assert set(rows) == {"nurse@example.com", "doctor@example.com", "desk@example.com"}
    assert "2 patient message(s)" in rows["nurse@example.com"].body
    assert "1 patient message(s)" in rows["desk@example.com"].body  # the clinical one is not counted for her
    for row in rows.values():
        assert "Ana" not in row.body and "knee" not in row.body and "visit" not in row.body
    with time_machine.travel(NOW + timedelta(days=6, hours=-9), tick=False):  # Tuesday before 8 am: not yet
        assert messages.overdue_digest(session) == 0


def test_the_care_team_can_write_first_in_its_own_pool(session, clinic):
    thread_id = messages.staff_start_thread(session, clinic.nurse, "R-ana", "result", "Your blood test is normal.")
    session.commit()
    box = messages.inbox(session, clinic.ana, clinic.ana_chart)
    assert [(t.id, t.status, t.unread) for t in box.threads] == [(thread_id, "waiting", 1)]
    assert {row.recipient for row in session.exec(select(OutboxMessage)).all()} == {"ana@example.com",
                                                                                    "helper@example.com"}
    for who, mrn, topic, error in ((clinic.desk, "R-ana", "result", PermissionDenied),  # not a clinical pool for her
                                   (clinic.clinician, "R-ana", "billing", PermissionDenied),  # not in billing
                                   (clinic.nurse, "NO-SUCH", "result", NotFound),
                                   (clinic.admin, "R-ana", "result", PermissionDenied),
                                   (clinic.ana, "R-ben", "result", PermissionDenied)):
        with pytest.raises(error):
            messages.staff_start_thread(session, who, mrn, topic, "Hello")
        session.rollback()


def test_the_admin_runs_pools_and_canned_replies_and_no_one_else_can(session, clinic):
    from portal_app.services import message_pools

    views = {v.code: v for v in message_pools.overview(session, clinic.admin)}
    assert {m.name for m in views["care_team"].members} == {"Nurse", "Doctor", "Desk"}  # the fixture's odd row
    assert clinic.desk.user_id not in {m.user_id for m in views["care_team"].candidates}
    message_pools.remove_member(session, clinic.admin, "care_team", clinic.desk.user_id)
    with pytest.raises(InvalidInput) as refused:
        message_pools.add_member(session, clinic.admin, "care_team", clinic.desk.user_id)
    assert refused.value.key == "msg.error.clinical_pool"
    with pytest.raises(InvalidInput):
        message_pools.add_member(session, clinic.admin, "billing", clinic.admin.user_id)  # admins do not answer
    message_pools.add_member(session, clinic.admin, "billing", clinic.nurse.user_id)
    made = message_pools.add_canned(session, clinic.admin, "billing", "Payment plan", "We can set up a payment plan.")
    session.commit()
    thread_id = _start(session, clinic, topic="billing", body="Can I pay in parts?")
    assert [c.title for c in messages.canned_replies(session, clinic.nurse, thread_id)] == ["Payment plan"]
    message_pools.remove_canned(session, clinic.admin, made)
    session.commit()
    assert messages.canned_replies(session, clinic.nurse, thread_id) == []
    for who in (clinic.nurse, clinic.desk, clinic.ana, None):
        for call in (lambda: message_pools.overview(session, who),
                     lambda: message_pools.add_member(session, who, "billing", clinic.clinician.user_id),
                     lambda: message_pools.add_canned(session, who, "", "X", "Y")):
            with pytest.raises(PermissionDenied):
                call()
            session.rollback()
    changes = [r for r in audit_rows(session) if r.action == "permission_change" and r.outcome == "success"]
    assert len(changes) == 2


def test_the_badge_of_a_proxy_without_messages_is_zero_and_writes_no_refusal(session, clinic):
    thread_id = _start(session, clinic)
    messages.staff_reply(session, clinic.nurse, thread_id, "Answer")
    session.commit()
    since = last_audit_id(session)
    assert messages.badge_count(session, clinic.parent, clinic.ana_chart) == 0
    assert messages.badge_count(session, clinic.helper, clinic.ana_chart) == 1
    assert messages.badge_count(session, None, clinic.ana_chart) == 0
    session.commit()
    assert audit_rows(session, since) == []


def test_a_staff_answer_can_carry_a_file_the_patient_side_can_open(session, clinic):
    thread_id = _start(session, clinic)
    leaflet = files.store_upload(session, clinic.nurse, "message_attachment", "knee-exercises.pdf",
                                 b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n")
    messages.staff_reply(session, clinic.nurse, thread_id, "Here are some exercises.", [leaflet.token])
    session.commit()
    shown = messages.read_thread(session, clinic.ana, clinic.ana_chart, thread_id).messages[-1].attachments
    assert [(a.name, a.kind) for a in shown] == [("knee-exercises.pdf", "pdf")]
    assert messages.attachment(session, clinic.helper, leaflet.token).kind == "pdf"
    with pytest.raises(NotFound):
        messages.attachment(session, clinic.ben, leaflet.token)
