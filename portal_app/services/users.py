"""A signed-in user's own account settings."""

from __future__ import annotations

from sqlmodel import Session

from portal_app import i18n
from portal_app.models.people import Patient, Role, User
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput, PermissionDenied


def set_language(session: Session, actor: Actor, language: str) -> None:
    if language not in i18n.LANGUAGES:
        raise InvalidInput("language.error.unknown")
    if actor.user_id is None:
        raise PermissionDenied()
    user = session.get(User, actor.user_id)
    if user is None:
        raise PermissionDenied()
    user.preferred_language = language
    session.add(user)
    chart = session.get(Patient, user.patient_id) if user.role == Role.PATIENT and user.patient_id else None
    if chart is not None:  # the chart's language is what the clinic's letters and invitations use
        chart.preferred_language = language
        session.add(chart)
