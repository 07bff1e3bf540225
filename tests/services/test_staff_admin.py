"""Staff accounts (admins only): list, create, change role, disable, unlock, end sessions; create-admin."""

from __future__ import annotations

import dataclasses
from contextlib import contextmanager

import pytest
from sqlmodel import Session, select

from portal_app import db
from portal_app.cli import main as portal_main
from portal_app.models.audit import AuditEvent
from portal_app.models.mfa import FactorFailures
from portal_app.models.people import Role, User
from portal_app.models.session import UserSession
from portal_app.services import sessions, staff, staff_setup, throttle
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput, PermissionDenied
from portal_app.services.passwords import verify_password
from tests.services.conftest import sign_in_token

PASSWORD = "correct horse battery"


@pytest.fixture
def admin(make):
    return Actor.for_user(make("admin.hughes", PASSWORD, Role.ADMIN))


def _state(session: Session) -> tuple:
    """What the staff service could change, as committed (audit rows except refusals)."""
    session.rollback()
    users = sorted((u.id, u.role, u.is_active, u.username) for u in session.exec(select(User)).all())
    revoked = sorted((s.id, s.revoked_at is None) for s in session.exec(select(UserSession)).all())
    failures = sorted((f.id, f.count) for f in session.exec(select(FactorFailures)).all())
    audited = [a.id for a in session.exec(select(AuditEvent).where(AuditEvent.outcome != "denied")).all()]
    return users, revoked, failures, audited


def test_admin_creates_lists_and_manages_staff(session, admin):
    created = staff.create_staff(session, admin, "RN.New", "New Nurse", "RN", Role.NURSE, "new@example.org")
    session.commit()
    assert created.username == "rn.new" and len(created.one_time_password) == 16
    stored = session.get(User, created.user_id)
    assert stored.role == Role.NURSE and verify_password(created.one_time_password, stored.password_hash)
    listed = {v.username: v for v in staff.list_staff(session, admin)}
    assert set(listed) == {"admin.hughes", "rn.new"}
    assert not hasattr(listed["rn.new"], "password_hash")
    with pytest.raises(InvalidInput):
        staff.create_staff(session, admin, "rn.new", "Again", "", Role.NURSE, "")
    with pytest.raises(InvalidInput):
        staff.create_staff(session, admin, "x.patient", "Patient", "", Role.PATIENT, "")
    with pytest.raises(InvalidInput):
        staff.create_staff(session, admin, {"a": 1}, "Name", "", Role.NURSE, "")


@pytest.mark.parametrize("role", [Role.FRONT_DESK, Role.NURSE, Role.CLINICIAN, Role.PATIENT])
def test_other_roles_are_refused_and_nothing_is_written(session, make, admin, role):
    target = make("rn.target", PASSWORD, Role.NURSE)
    caller = Actor.for_user(make("someone", PASSWORD, role))
    sign_in_token(session, "rn.target", PASSWORD)
    throttle.failed(session, target.id, "password")
    session.commit()
    before = _state(session)
    attempts = [
        lambda: staff.list_staff(session, caller),
        lambda: staff.create_staff(session, caller, "rn.sneaky", "Sneaky", "", Role.ADMIN, ""),
        lambda: staff.change_role(session, caller, target.id, Role.ADMIN),
        lambda: staff.set_active(session, caller, target.id, False),
        lambda: staff.unlock(session, caller, target.id),
        lambda: staff.end_sessions(session, caller, target.id),
        lambda: staff.new_one_time_password(session, caller, target.id),
        lambda: staff.latest_outbox(session, caller),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
        session.rollback()
    assert _state(session) == before
    denied = session.exec(select(AuditEvent).where(AuditEvent.outcome == "denied")).all()
    assert len(denied) == len(attempts)


def test_role_change_and_disable_are_audited_and_end_sessions(session, make, admin):
    nurse = make("rn.baptiste", PASSWORD, Role.NURSE)
    token = sign_in_token(session, "rn.baptiste", PASSWORD)
    assert sessions.resolve(session, token) is not None
    session.commit()

    staff.change_role(session, admin, nurse.id, Role.CLINICIAN)
    session.commit()
    change = session.exec(select(AuditEvent).where(AuditEvent.action == "permission_change")).one()
    assert change.actor_user_id == admin.user_id and "nurse->clinician" in change.detail
    assert sessions.resolve(session, token) is None  # the new role applies from the next sign-in

    token = sign_in_token(session, "rn.baptiste", PASSWORD)
    staff.set_active(session, admin, nurse.id, False)
    session.commit()
    assert session.get(User, nurse.id).is_active is False
    rows = session.exec(select(UserSession).where(UserSession.user_id == nurse.id)).all()
    assert rows and all(row.revoked_at is not None for row in rows)
    assert sessions.resolve(session, token) is None
    disabled = session.exec(select(AuditEvent).where(AuditEvent.detail.contains("disabled"))).one()
    assert disabled.action == "update" and disabled.category == "staff"

    staff.set_active(session, admin, nurse.id, True)
    session.commit()
    assert session.get(User, nurse.id).is_active is True


def test_last_admin_and_self_are_protected(session, admin):
    with pytest.raises(InvalidInput):
        staff.set_active(session, admin, admin.user_id, False)
    with pytest.raises(InvalidInput):
        staff.change_role(session, admin, admin.user_id, Role.NURSE)


def test_unlock_resets_the_throttle(session, make, admin):
    nurse = make("rn.locked", PASSWORD, Role.NURSE)
    for _ in range(throttle.CAP):
        throttle.failed(session, nurse.id, "password")
    session.commit()
    assert throttle.gate(session, nurse.id, "password").disabled
    assert {v.username: v.locked for v in staff.list_staff(session, admin)}["rn.locked"] is True
    staff.unlock(session, admin, nurse.id)
    session.commit()
    assert throttle.gate(session, nurse.id, "password").open
    assert session.exec(select(AuditEvent).where(AuditEvent.detail.contains("unlocked"))).one()


def test_end_sessions(session, make, admin):
    nurse = make("rn.out", PASSWORD, Role.NURSE)
    token = sign_in_token(session, "rn.out", PASSWORD)
    assert staff.end_sessions(session, admin, nurse.id) >= 1
    session.commit()
    assert sessions.resolve(session, token) is None


def test_outbox_view_is_refused_in_production(session, admin, monkeypatch):
    assert staff.latest_outbox(session, admin) == []
    session.commit()
    monkeypatch.setattr(staff, "settings", dataclasses.replace(staff.settings, env="production"))
    assert staff.settings.production
    with pytest.raises(PermissionDenied):
        staff.latest_outbox(session, admin)


def test_create_admin_refuses_a_second_admin(session, database_url, monkeypatch, capsys):
    @contextmanager
    def transaction(url=None):
        with Session(db.get_engine(database_url), expire_on_commit=False) as s:
            yield s
            s.commit()

    monkeypatch.setattr(db, "transaction", transaction)
    portal_main(["create-admin", "admin.first", "First Admin", "first@example.org"])
    printed = capsys.readouterr().out
    user = session.exec(select(User).where(User.username == "admin.first")).one()
    assert user.role == Role.ADMIN
    password = printed.split("shown only now): ")[1].split()[0]
    assert verify_password(password, user.password_hash)
    assert "within 7 days" in printed and staff_setup.unfinished(session, user.id) is not None  # first sign-in set-up
    with pytest.raises(SystemExit):
        portal_main(["create-admin", "admin.second", "Second Admin", "second@example.org"])
    session.rollback()
    assert session.exec(select(User).where(User.username == "admin.second")).first() is None
    portal_main(["create-admin", "admin.second", "Second Admin", "second@example.org", "--another"])
    session.rollback()
    assert session.exec(select(User).where(User.username == "admin.second")).one().role == Role.ADMIN
