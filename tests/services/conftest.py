"""Service-test helpers: users and actors made in the test, and ordering for disruptive tests."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

import pyotp
from sqlmodel import select

from portal_app import clock
from portal_app.models.mfa import TotpCredential
from portal_app.models.people import Patient, Role, User
from portal_app.services import mfa, signin, sessions
from portal_app.services.passwords import hash_password

AUTHENTICATOR_KEY = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # every test user's app (160 bits)

RESTARTS_POSTGRES = "restarts_postgres"


def pytest_configure(config):
    config.addinivalue_line(
        "markers", f"{RESTARTS_POSTGRES}: restarts the local PostgreSQL server; runs after every other test"
    )


def pytest_collection_modifyitems(session, config, items):
    """Tests that restart PostgreSQL run last, so no other test sees the server go away."""
    items.sort(key=lambda item: item.get_closest_marker(RESTARTS_POSTGRES) is not None)


def make_user(
    session: Session,
    username: str,
    password: str,
    role: str = Role.PATIENT,
    *,
    active: bool = True,
    language: str = "en",
    authenticator: bool = True,
) -> User:
    """A user (with a chart when a patient), committed so that other sessions see it."""
    patient_id = None
    if role == Role.PATIENT:
        patient = Patient(mrn=f"T-{username}", given_name=username.title(), family_name="Test",
                          birth_date=date(1980, 1, 1), sex="female", preferred_language=language)
        session.add(patient)
        session.flush()
        patient_id = patient.id
    user = User(username=username, display_name=f"{username.title()} Test", role=role, patient_id=patient_id,
                preferred_language=language, password_hash=hash_password(password), is_active=active)
    session.add(user)
    session.flush()
    if authenticator:
        mfa.enrol_confirmed(session, user.id, AUTHENTICATOR_KEY)
    session.commit()
    return user


def fresh_code(session: Session, user_id: int) -> str:
    """A code the user's app would show that the portal has not yet accepted (steps T-1..T+1)."""
    used = session.exec(select(TotpCredential.last_used_step).where(TotpCredential.user_id == user_id)).one()
    current = int(clock.now().timestamp()) // mfa.STEP_SECONDS
    step = next(s for s in (current - 1, current, current + 1) if s > used)
    return pyotp.TOTP(AUTHENTICATOR_KEY).at(step * mfa.STEP_SECONDS)


def sign_in_handoff(session: Session, username: str, password: str, ip: str = "", user_agent: str = "") -> str:
    """Both sign-in steps, committed; returns the hand-off for ``/auth/complete``."""
    first = signin.check_password(session, username, password, ip=ip, user_agent=user_agent)
    session.commit()
    assert first.ok, first.error
    user = session.exec(select(User).where(User.username == username.strip().lower())).one()
    second = signin.check_second_factor(session, first.token, fresh_code(session, user.id), ip=ip)
    session.commit()
    assert second.ok, second.error
    return second.token


def sign_in_token(session: Session, username: str, password: str, **where: str) -> str:
    """Signed in all the way: the session cookie's value."""
    token = sessions.complete_handoff(session, sign_in_handoff(session, username, password, **where))
    session.commit()
    assert token is not None
    return token


@pytest.fixture
def make(session):
    """``make(username, password, role=...)`` creates a user in the test's database."""
    return lambda *args, **kwargs: make_user(session, *args, **kwargs)
