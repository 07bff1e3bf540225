"""Patient-data authorization: the PATIENT_DATA table, self, proxies (with the adolescent rule),
staff roles, restricted charts and break-glass; proxy grants and their validation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlmodel import Session, func, select

from portal_app.models.audit import AuditEvent
from portal_app.models.outbox import OutboxMessage
from portal_app.models.people import STAFF_ROLES, Patient, Role, User
from portal_app.models.proxy import PROXY_SCOPES, BreakGlass, ProxyGrant
from portal_app.services import access, break_glass, proxies
from portal_app.services.access import PATIENT_DATA, Actor, check_patient_access, require_patient_access
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied

PASSWORD = "a long enough test passphrase"
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
ALL = list(PROXY_SCOPES)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def _chart(session: Session, mrn: str, born: date = date(1980, 1, 1), restricted: bool = False) -> Patient:
    patient = Patient(mrn=mrn, given_name=mrn.title(), family_name="Chart", birth_date=born, sex="female",
                      restricted=restricted)
    session.add(patient)
    session.commit()
    return patient


def _account(session: Session, username: str, role: str, patient_id: int | None = None,
             email: str | None = None) -> User:
    """An account without password or authenticator (these rules do not sign in)."""
    user = User(username=username, display_name=username.title(), role=role, patient_id=patient_id, email=email)
    session.add(user)
    session.commit()
    return user


def _staff(make, role: str, name: str | None = None) -> Actor:
    return Actor.for_user(make(name or role.replace("_", "."), PASSWORD, role=role, authenticator=False))


def _audit(session: Session, **where) -> list[AuditEvent]:
    rows = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    return [row for row in rows if all(getattr(row, key) == value for key, value in where.items())]


def _count(session: Session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


# --- the table --------------------------------------------------------------------------------


def test_the_table_never_gives_the_front_desk_clinical_data():
    clinical = {"record.read", "notes.read", "results.read", "medications.read", "refills.request"}
    assert clinical <= set(PATIENT_DATA)
    for action in clinical:
        assert Role.FRONT_DESK not in PATIENT_DATA[action].staff, action
    for action, rule in PATIENT_DATA.items():
        assert rule.staff <= STAFF_ROLES, action  # only staff roles in the staff column
        assert rule.proxy_scope is None or rule.proxy_scope in PROXY_SCOPES, action


def test_every_role_gets_what_the_table_says_for_every_action(session, make, clock):
    """The whole matrix, read from PATIENT_DATA: (action, who) -> allowed, as the check answers it."""
    chart = _chart(session, "M-1")
    desk = _staff(make, Role.FRONT_DESK)
    proxy = _account(session, "proxy", Role.PROXY)
    proxies.grant(session, desk, chart.id, proxy.id, ALL, "spouse", NOW + timedelta(days=30))
    session.commit()
    actors = {role: _staff(make, role, f"s.{role}") for role in sorted(STAFF_ROLES)}
    actors["self"] = Actor.for_user(_account(session, "me", Role.PATIENT, chart.id))
    actors["proxy (all scopes)"] = Actor.for_user(proxy)
    actors["system"] = Actor.system("job")
    actors["anonymous"] = None

    def expected(rule, who):
        if who in STAFF_ROLES:
            return who in rule.staff
        return {"self": rule.patient, "proxy (all scopes)": rule.proxy_scope is not None}.get(who, False)

    wanted = {(action, who): expected(rule, who) for action, rule in PATIENT_DATA.items() for who in actors}
    answered = {(action, who): check_patient_access(session, actor, chart.id, action).allowed
                for action in PATIENT_DATA for who, actor in actors.items()}
    assert answered == wanted
    assert len(answered) == len(PATIENT_DATA) * 8


def test_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError):  # refused before any database is touched
        check_patient_access(None, Actor(role=Role.CLINICIAN, user_id=1), 1, "record.delete")


# --- self and other patients ------------------------------------------------------------------


def test_a_patient_reaches_their_own_chart(session, clock):
    chart = _chart(session, "M-1")
    me = Actor.for_user(_account(session, "me", Role.PATIENT, chart.id))
    decision = require_patient_access(session, me, chart.id, "results.read")
    assert decision.allowed and decision.via == "self"


def test_another_patients_chart_is_not_found_and_audited(session, clock):
    mine, theirs = _chart(session, "M-1"), _chart(session, "M-2")
    me = Actor.for_user(_account(session, "me", Role.PATIENT, mine.id))
    for target in (theirs.id, 99999):  # an existing chart and a made-up id get the same answer
        with pytest.raises(NotFound):
            require_patient_access(session, me, target, "record.read")
        session.rollback()  # the caller rolls back; the audit row must survive it
    rows = _audit(session, outcome="denied", actor_user_id=me.user_id)
    assert [(r.patient_id, r.action, r.category) for r in rows] == [(theirs.id, "read", "record"), (99999, "read", "record")]
    with pytest.raises(NotFound):
        require_patient_access(session, me, "1 or 1=1", "record.read")  # not an id at all


# --- proxies ----------------------------------------------------------------------------------


@pytest.fixture
def family(session, make, clock):
    """An adult patient, a proxy account and a front-desk actor."""
    chart = _chart(session, "M-1")
    patient = Actor.for_user(_account(session, "patient", Role.PATIENT, chart.id))
    proxy = Actor.for_user(_account(session, "proxy", Role.PROXY))
    desk = _staff(make, Role.FRONT_DESK)
    return chart, patient, proxy, desk


def test_proxy_within_scope_allowed_outside_refused(session, family):
    chart, patient, proxy, _desk = family
    proxies.grant(session, patient, chart.id, proxy.user_id, ["appointments", "messages"], "spouse",
                  NOW + timedelta(days=90))
    session.commit()
    assert require_patient_access(session, proxy, chart.id, "appointments.write").via == "proxy"
    assert require_patient_access(session, proxy, chart.id, "messages.read").allowed
    with pytest.raises(PermissionDenied) as refused:
        require_patient_access(session, proxy, chart.id, "results.read")
    assert refused.value.key == "access.error.proxy_scope"
    session.rollback()
    assert [(r.action, r.category, r.patient_id) for r in _audit(session, outcome="denied")] == [
        ("read", "results", chart.id)]


def test_proxy_refused_before_start_after_end_and_once_revoked(session, family, clock):
    chart, patient, proxy, desk = family
    grant_id = proxies.grant(session, patient, chart.id, proxy.user_id, ALL, "spouse", NOW + timedelta(days=10))
    session.commit()
    row = session.get(ProxyGrant, grant_id)

    clock.move_to(NOW - timedelta(minutes=1))  # before it starts
    assert check_patient_access(session, proxy, chart.id, "record.read").refusal == "not_found"
    clock.move_to(NOW + timedelta(days=10) - timedelta(seconds=1))
    assert check_patient_access(session, proxy, chart.id, "record.read").allowed
    clock.move_to(NOW + timedelta(days=10))  # the end date is exclusive
    with pytest.raises(NotFound):
        require_patient_access(session, proxy, chart.id, "record.read")
    session.rollback()

    clock.move_to(NOW + timedelta(days=1))
    assert check_patient_access(session, proxy, chart.id, "record.read").allowed
    proxies.revoke(session, patient, grant_id)
    session.commit()
    session.refresh(row)
    assert row.revoked_at is not None and row.revoked_by == patient.user_id
    with pytest.raises(NotFound):
        require_patient_access(session, proxy, chart.id, "record.read")
    session.rollback()
    changes = _audit(session, action="permission_change", outcome="success")
    assert [r.detail.split(":")[0] for r in changes] == [f"proxy grant {grant_id} to user {proxy.user_id}",
                                                         f"proxy grant {grant_id} revoked"]


def test_patients_visible_to_a_proxy_who_is_also_a_patient(session, family):
    chart, patient, _proxy, desk = family
    child = _chart(session, "KID-1", born=date(2020, 5, 5))
    other = _chart(session, "M-9")
    proxies.grant(session, desk, child.id, patient.user_id, ["appointments", "results"], "parent")
    proxies.grant(session, desk, other.id, patient.user_id, ["billing"], "other", NOW + timedelta(days=1))
    session.commit()
    seen = access.patients_visible_to(session, patient)
    assert [(v.patient_id, v.is_self, v.scopes) for v in seen] == [
        (chart.id, True, tuple(PROXY_SCOPES)), (child.id, False, ("results", "appointments")),
        (other.id, False, ("billing",))]
    assert seen[1].name == "Kid-1 Chart"
    assert access.patients_visible_to(session, desk) == []


def test_revoking_and_listing_grants(session, family, make):
    chart, patient, proxy, desk = family
    stranger = Actor.for_user(_account(session, "stranger", Role.PATIENT, _chart(session, "M-2").id))
    first = proxies.grant(session, desk, chart.id, proxy.user_id, ["billing"], "other", NOW + timedelta(days=5))
    session.commit()
    with pytest.raises(NotFound):
        proxies.revoke(session, stranger, first)
    session.rollback()
    with pytest.raises(NotFound):
        proxies.grants_for_patient(session, stranger, chart.id)
    session.rollback()
    with pytest.raises(PermissionDenied):
        proxies.grants_for_patient(session, _staff(make, Role.NURSE), chart.id)
    session.rollback()
    assert len(_audit(session, outcome="denied", category="proxy")) == 3

    listed = proxies.grants_for_patient(session, patient, chart.id)
    assert [(g.grantee_name, g.scopes, g.active) for g in listed] == [("Proxy", ("billing",), True)]
    proxies.revoke(session, proxy, first)  # a proxy may give up their own access
    session.commit()
    with pytest.raises(InvalidInput) as again:
        proxies.revoke(session, patient, first)
    assert again.value.key == "proxies.error.already_revoked"
    assert [g.active for g in proxies.grants_for_patient(session, desk, chart.id)] == [False]


def test_grant_validation_errors_change_nothing(session, family, make):
    chart, patient, proxy, desk = family
    staff_user = make("nurse.x", PASSWORD, role=Role.NURSE, authenticator=False)
    stranger = Actor.for_user(_account(session, "stranger", Role.PATIENT, _chart(session, "M-2").id))
    ok_end = NOW + timedelta(days=30)
    proxies.grant(session, patient, chart.id, proxy.user_id, ["billing"], "spouse", ok_end)
    session.commit()
    other_proxy = _account(session, "other.proxy", Role.PROXY)
    grants, audits = _count(session, ProxyGrant), _count(session, AuditEvent)
    bad = [
        ((other_proxy.id, [], "spouse", ok_end), "proxies.error.scopes"),
        ((other_proxy.id, ["record", "genome"], "spouse", ok_end), "proxies.error.scopes"),
        ((other_proxy.id, "record", "spouse", ok_end), "proxies.error.scopes"),
        ((other_proxy.id, ["record"], "neighbour", ok_end), "proxies.error.relationship"),
        ((other_proxy.id, ["record"], "spouse", None), "proxies.error.ends_at_missing"),
        ((other_proxy.id, ["record"], "spouse", NOW - timedelta(seconds=1)), "proxies.error.ends_at_past"),
        ((other_proxy.id, ["record"], "spouse", NOW + proxies.MAX_GRANT + timedelta(days=1)),
         "proxies.error.ends_at_too_far"),
        ((proxy.user_id, ["record"], "spouse", ok_end), "proxies.error.duplicate"),
        ((staff_user.id, ["record"], "spouse", ok_end), "proxies.error.grantee"),
        ((patient.user_id, ["record"], "spouse", ok_end), "proxies.error.grantee"),
        ((424242, ["record"], "spouse", ok_end), "proxies.error.grantee"),
    ]
    for args, key in bad:
        with pytest.raises(InvalidInput) as refused:
            proxies.grant(session, patient, chart.id, *args)
        assert refused.value.key == key, args
        session.rollback()
    assert (_count(session, ProxyGrant), _count(session, AuditEvent)) == (grants, audits)

    with pytest.raises(NotFound):  # another patient's chart
        proxies.grant(session, stranger, chart.id, other_proxy.id, ["record"], "spouse", ok_end)
    session.rollback()
    with pytest.raises(PermissionDenied):  # a nurse does not manage proxies
        proxies.grant(session, Actor.for_user(staff_user), chart.id, other_proxy.id, ["record"], "spouse", ok_end)
    session.rollback()
    assert _count(session, ProxyGrant) == grants
    assert [r.actor_user_id for r in _audit(session, outcome="denied")] == [stranger.user_id, staff_user.id]


# --- the adolescent rule ----------------------------------------------------------------------

CHILD_BORN = date(2015, 6, 1)  # 11 on NOW


def test_parent_of_a_child_under_12_has_the_scopes_given_until_the_12th_birthday(session, family, clock):
    _chart_, _patient, parent, desk = family
    child = _chart(session, "KID-1", born=CHILD_BORN)
    grant_id = proxies.grant(session, desk, child.id, parent.user_id, ALL, "parent")  # default end date
    session.commit()
    assert session.get(ProxyGrant, grant_id).ends_at.replace(tzinfo=UTC) == datetime(2027, 6, 1, tzinfo=UTC)
    assert require_patient_access(session, parent, child.id, "results.read").via == "proxy"  # age 11
    clock.move_to(datetime(2027, 5, 31, 23, 59, tzinfo=UTC))
    assert check_patient_access(session, parent, child.id, "messages.read").allowed
    clock.move_to(datetime(2027, 6, 1, 0, 0, tzinfo=UTC))  # 12: the default grant is over
    assert check_patient_access(session, parent, child.id, "appointments.read").refusal == "not_found"


def test_at_12_a_parent_keeps_only_appointments_medications_and_billing(session, family, clock):
    _chart_, _patient, parent, desk = family
    child = _chart(session, "KID-1", born=CHILD_BORN)
    proxies.grant(session, desk, child.id, parent.user_id, ALL, "parent", NOW + timedelta(days=700))
    session.commit()
    assert check_patient_access(session, parent, child.id, "results.read").allowed  # 11
    clock.move_to(datetime(2027, 6, 1, 12, tzinfo=UTC))  # 12th birthday
    for action in ("appointments.read", "appointments.write", "medications.read", "refills.request",
                   "insurance.read", "billing.read"):
        assert check_patient_access(session, parent, child.id, action).allowed, action
    for action in ("results.read", "messages.read", "record.read", "notes.read", "demographics.read"):
        with pytest.raises(PermissionDenied):
            require_patient_access(session, parent, child.id, action)
        session.rollback()
    view = proxies.grants_for_patient(session, desk, child.id)[0]
    assert view.scopes == tuple(PROXY_SCOPES) and view.effective_scopes == ("appointments", "medications", "billing")
    assert access.patients_visible_to(session, parent)[0].scopes == ("appointments", "medications", "billing")


def test_at_17_the_teen_may_give_more_and_at_18_parent_grants_end_unless_renewed(session, family, clock):
    _chart_, _patient, parent, desk = family
    child = _chart(session, "KID-1", born=CHILD_BORN)
    teen = Actor.for_user(_account(session, "teen", Role.PATIENT, child.id))
    clock.move_to(datetime(2032, 7, 1, tzinfo=UTC))  # 17
    by_staff = proxies.grant(session, desk, child.id, parent.user_id, ALL, "guardian", datetime(2034, 1, 1, tzinfo=UTC))
    session.commit()
    assert not check_patient_access(session, parent, child.id, "results.read").allowed
    assert check_patient_access(session, parent, child.id, "appointments.read").allowed
    proxies.revoke(session, teen, by_staff)
    by_teen = proxies.grant(session, teen, child.id, parent.user_id, ["results", "appointments"], "parent",
                            datetime(2034, 1, 1, tzinfo=UTC))
    session.commit()
    assert check_patient_access(session, parent, child.id, "results.read").allowed  # the teen added it

    clock.move_to(datetime(2033, 6, 1, 0, 0, tzinfo=UTC))  # 18: made before adulthood, so it ends
    with pytest.raises(NotFound):
        require_patient_access(session, parent, child.id, "appointments.read")
    session.rollback()
    assert access.patients_visible_to(session, parent) == []
    proxies.revoke(session, teen, by_teen)
    proxies.grant(session, teen, child.id, parent.user_id, ["results"], "parent", datetime(2034, 1, 1, tzinfo=UTC))
    session.commit()
    assert check_patient_access(session, parent, child.id, "results.read").allowed  # renewed by the adult


def test_a_child_under_12_cannot_manage_their_own_grants(session, family):
    _chart_, _patient, parent, _desk = family
    child = _chart(session, "KID-1", born=CHILD_BORN)
    kid = Actor.for_user(_account(session, "kid", Role.PATIENT, child.id))
    with pytest.raises(PermissionDenied) as refused:
        proxies.grant(session, kid, child.id, parent.user_id, ALL, "parent")
    assert refused.value.key == "proxies.error.too_young"
    session.rollback()
    assert _count(session, ProxyGrant) == 0


# --- staff roles, restricted charts, break-glass ----------------------------------------------


def test_front_desk_refused_results_and_record_and_audited(session, make, clock):
    chart = _chart(session, "M-1")
    desk = _staff(make, Role.FRONT_DESK)
    assert require_patient_access(session, desk, chart.id, "appointments.write").via == "staff"
    for action in ("results.read", "record.read"):
        with pytest.raises(PermissionDenied):
            require_patient_access(session, desk, chart.id, action)
        session.rollback()
    rows = _audit(session, outcome="denied")
    assert [(r.actor_role, r.category, r.patient_id, r.detail) for r in rows] == [
        ("front_desk", "results", chart.id, "refused: results.read"),
        ("front_desk", "record", chart.id, "refused: record.read")]


def test_restricted_chart_needs_break_glass_which_lasts_an_hour_and_alerts_admins(session, make, clock):
    chart = _chart(session, "VIP-1", restricted=True)
    doctor = _staff(make, Role.CLINICIAN)
    desk = _staff(make, Role.FRONT_DESK)
    admins = [_account(session, f"admin{n}", Role.ADMIN, email=f"admin{n}@clinic.example") for n in (1, 2)]
    _account(session, "admin3", Role.ADMIN)  # no email: nothing to send to

    with pytest.raises(PermissionDenied) as refused:
        require_patient_access(session, doctor, chart.id, "results.read")
    assert refused.value.key == "access.error.restricted"
    session.rollback()
    with pytest.raises(PermissionDenied):  # the front desk too: a restricted chart is closed to every role
        require_patient_access(session, desk, chart.id, "appointments.read")
    session.rollback()

    for reason in ("", "too short", "x" * 501, None):
        with pytest.raises(InvalidInput) as bad:
            break_glass.start(session, doctor, chart.id, reason)
        assert bad.value.key == "break_glass.error.reason"
        session.rollback()
    with pytest.raises(PermissionDenied):
        break_glass.start(session, desk, chart.id, "patient collapsed in the waiting room")
    session.rollback()
    assert _count(session, BreakGlass) == 0 and _count(session, OutboxMessage) == 0

    opened = break_glass.start(session, doctor, chart.id, "Unconscious in the ED, needs medication history")
    session.commit()
    assert opened.ends_at == NOW + timedelta(hours=1)
    decision = require_patient_access(session, doctor, chart.id, "results.read")
    assert decision.allowed and decision.break_glass_id == opened.id
    assert break_glass.active(session, doctor, chart.id) == opened
    assert break_glass.start(session, doctor, chart.id, "Unconscious in the ED, again") == opened  # still running
    notices = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(n.recipient, n.kind) for n in notices] == [(a.email, "break_glass_alert") for a in admins]
    assert "VIP" not in notices[0].body and "restricted record" in notices[0].body
    audited = _audit(session, action="break_glass")
    assert [(r.actor_user_id, r.patient_id, r.outcome) for r in audited] == [
        (desk.user_id, chart.id, "denied"), (doctor.user_id, chart.id, "success")]

    clock.move_to(NOW + timedelta(minutes=59))
    assert check_patient_access(session, doctor, chart.id, "record.read").allowed
    clock.move_to(NOW + timedelta(hours=1))
    with pytest.raises(PermissionDenied):
        require_patient_access(session, doctor, chart.id, "record.read")
    session.rollback()
    assert break_glass.active(session, doctor, chart.id) is None


def test_break_glass_can_be_ended_early_only_by_its_owner(session, make, clock):
    chart = _chart(session, "VIP-1", restricted=True)
    nurse, other = _staff(make, Role.NURSE), _staff(make, Role.CLINICIAN)
    opened = break_glass.start(session, nurse, chart.id, "Called by the on-call doctor for allergies")
    session.commit()
    assert not check_patient_access(session, other, chart.id, "record.read").allowed  # it is the nurse's only
    with pytest.raises(NotFound):
        break_glass.end(session, other, opened.id)
    session.rollback()
    break_glass.end(session, nurse, opened.id)
    session.commit()
    assert not check_patient_access(session, nurse, chart.id, "record.read").allowed
    with pytest.raises(InvalidInput) as plain:
        break_glass.start(session, nurse, _chart(session, "M-1").id, "not restricted, no need for this")
    assert plain.value.key == "break_glass.error.not_restricted"
