"""Clinic notices: who may publish, what is refused, and which notices show when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlmodel import select

from portal_app.models.live import LiveSignal
from portal_app.models.notice import ClinicNotice
from portal_app.models.people import Role
from portal_app.services import notices
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def desk(make):
    user = make("desk.tanaka", "front desk passphrase", Role.FRONT_DESK)
    return Actor(role=Role.FRONT_DESK, user_id=user.id, display_name=user.display_name)


def _counts(session) -> tuple[int, int]:
    """(notices, "notices" signals) as committed in the database."""
    session.rollback()  # look at what is committed, not at this session's pending work
    stored = len(session.exec(select(ClinicNotice)).all())
    signals = len(session.exec(select(LiveSignal).where(LiveSignal.topic == "notices")).all())
    return stored, signals


def _texts(session, language: str = "en") -> list[str]:
    return [view.text for view in notices.current(session, language)]


def test_admin_front_desk_and_system_publish_and_announce(session, make):
    admin = make("admin.hughes", "admin member passphrase", Role.ADMIN)
    desk = make("desk.tanaka", "front desk passphrase", Role.FRONT_DESK)
    actors = [Actor(role=Role.ADMIN, user_id=admin.id), Actor(role=Role.FRONT_DESK, user_id=desk.id),
              Actor.system("portal notice command")]

    for number, actor in enumerate(actors, start=1):
        notice_id = notices.publish(session, actor, f"Notice by {actor.role}")
        session.commit()

        assert _counts(session) == (number, number), actor.role
        assert session.get(ClinicNotice, notice_id).created_by == actor.user_id
    assert sorted(_texts(session)) == sorted(f"Notice by {actor.role}" for actor in actors)


def test_the_notice_and_its_signal_commit_or_roll_back_together(session, desk):
    notices.publish(session, desk, "Closed Monday for the holiday.")
    session.rollback()  # the caller's transaction fails after the service ran
    assert _counts(session) == (0, 0)

    notices.publish(session, desk, "Closed Monday for the holiday.")
    session.commit()
    assert _counts(session) == (1, 1)


def test_patients_and_clinical_staff_may_not_publish(session, make):
    for role in [Role.PATIENT, Role.PROXY, Role.NURSE, Role.CLINICIAN]:
        user = make(f"a.{role}", "someone's passphrase", role)
        actor = Actor(role=role, user_id=user.id, patient_id=user.patient_id)

        with pytest.raises(PermissionDenied) as refused:
            notices.publish(session, actor, "Free money at the front desk!")
        session.commit()

        assert refused.value.key == "error.not_allowed"
        assert _counts(session) == (0, 0), role


def test_no_actor_may_not_publish(session):
    with pytest.raises(PermissionDenied):
        notices.publish(session, None, "Anonymous notice")
    session.commit()
    assert _counts(session) == (0, 0)


BAD_NOTICES = [
    ({"message": ""}, "notice.error.empty"),
    ({"message": "   \n\t "}, "notice.error.empty"),
    ({"message": None}, "notice.error.empty"),
    ({"message": "x" * 501}, "notice.error.too_long"),
    ({"message": "Closed Monday.", "message_es": "y" * 501}, "notice.error.too_long"),
    ({"message": "Closed Monday.", "starts_at": NOW + HOUR, "ends_at": NOW}, "notice.error.ends_before_start"),
    ({"message": "Closed Monday.", "starts_at": NOW, "ends_at": NOW}, "notice.error.ends_before_start"),
    ({"message": "Closed Monday.", "ends_at": NOW - HOUR}, "notice.error.ends_before_start"),
]


def test_bad_notices_are_refused_and_nothing_is_written(session, desk, clock):
    for kwargs, key in BAD_NOTICES:
        with pytest.raises(InvalidInput) as refused:
            notices.publish(session, desk, **kwargs)
        session.commit()

        assert refused.value.key == key, kwargs
        assert _counts(session) == (0, 0), kwargs


def test_500_characters_is_allowed_and_text_is_trimmed(session, desk):
    notices.publish(session, desk, "x" * 500, message_es="  " + "y" * 500 + "  ")
    session.commit()
    assert _texts(session) == ["x" * 500]
    assert _texts(session, "es") == ["y" * 500]


def test_only_notices_showing_now_are_listed(session, desk, clock):
    notices.publish(session, desk, "expired", starts_at=NOW - 48 * HOUR, ends_at=NOW - HOUR)
    notices.publish(session, desk, "showing", starts_at=NOW - HOUR, ends_at=NOW + HOUR)
    notices.publish(session, desk, "open-ended", starts_at=NOW - 2 * HOUR)
    notices.publish(session, desk, "future", starts_at=NOW + 2 * HOUR, ends_at=NOW + 3 * HOUR)
    withdrawn = notices.publish(session, desk, "withdrawn", starts_at=NOW - HOUR)
    notices.withdraw(session, desk, withdrawn)
    session.commit()

    assert _texts(session) == ["showing", "open-ended"]

    clock.shift(HOUR)  # "showing" ends exactly now
    assert _texts(session) == ["open-ended"]

    clock.shift(HOUR)  # "future" starts exactly now
    assert _texts(session) == ["future", "open-ended"]

    clock.shift(HOUR)
    assert _texts(session) == ["open-ended"]


def test_newest_first_and_at_most_five(session, desk, clock):
    for hours_ago in [7, 1, 5, 3, 6, 2, 4]:
        notices.publish(session, desk, f"started {hours_ago} h ago", starts_at=NOW - hours_ago * HOUR)
    session.commit()

    assert _texts(session) == [f"started {h} h ago" for h in [1, 2, 3, 4, 5]]


def test_spanish_readers_see_the_spanish_text_when_there_is_one(session, desk, clock):
    notices.publish(session, desk, "Flu shots are here.", message_es="Ya tenemos la vacuna.", starts_at=NOW - HOUR)
    notices.publish(session, desk, "Parking lot closed.", starts_at=NOW - 2 * HOUR)
    session.commit()

    assert _texts(session, "es") == ["Ya tenemos la vacuna.", "Parking lot closed."]
    assert _texts(session, "en") == ["Flu shots are here.", "Parking lot closed."]
    assert _texts(session, "fr") == ["Flu shots are here.", "Parking lot closed."]


def test_withdraw_hides_the_notice_and_announces(session, desk, make):
    notice_id = notices.publish(session, desk, "Closed Monday for the holiday.")
    session.commit()
    assert _counts(session) == (1, 1)

    notices.withdraw(session, desk, notice_id)
    session.commit()

    assert _texts(session) == []
    assert _counts(session) == (1, 2)  # kept for the record, and open pages are told
    with pytest.raises(NotFound):
        notices.withdraw(session, desk, notice_id)
    with pytest.raises(NotFound):
        notices.withdraw(session, desk, notice_id + 1000)


def test_a_patient_may_not_withdraw(session, desk, make):
    notice_id = notices.publish(session, desk, "Closed Monday for the holiday.")
    session.commit()
    patient = make("rosa", "rosa's long garden passphrase")

    with pytest.raises(PermissionDenied):
        notices.withdraw(session, Actor(role=Role.PATIENT, user_id=patient.id, patient_id=patient.patient_id),
                         notice_id)
    session.commit()

    assert _texts(session) == ["Closed Monday for the holiday."]
    assert _counts(session) == (1, 1)
