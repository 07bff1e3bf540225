"""Service-test helpers: users and actors made in the test, and ordering for disruptive tests."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from portal_app.models.people import Patient, Role, User
from portal_app.services.passwords import hash_password

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
    session.commit()
    return user


@pytest.fixture
def make(session):
    """``make(username, password, role=...)`` creates a user in the test's database."""
    return lambda *args, **kwargs: make_user(session, *args, **kwargs)
