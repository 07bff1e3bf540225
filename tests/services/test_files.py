"""Uploads: checked by content, photos re-encoded without metadata, sizes and rates limited, claimed once."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from PIL import Image
from sqlmodel import select

from portal_app import clock
from portal_app.models.audit import AuditEvent
from portal_app.models.people import Role
from portal_app.models.stored_file import StoredFile
from portal_app.services import files
from portal_app.services.access import Actor
from portal_app.services.errors import InvalidInput, NotFound, PermissionDenied

PASSWORD = "a long enough test passphrase"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"



@pytest.fixture
def patient(make) -> Actor:
    return Actor.for_user(make("pat.files", PASSWORD, authenticator=False))


def _photo_with_location(orientation: int = 1, size=(40, 20)) -> bytes:
    """A JPEG as a phone writes it: EXIF with the camera, a GPS position and an orientation."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CanaryCam"  # Make
    exif[0x0112] = orientation
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _png(size=(16, 16), mode="RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size).save(out, format="PNG")
    return out.getvalue()


def _stored(session) -> list[StoredFile]:
    return session.exec(select(StoredFile).order_by(StoredFile.id)).all()


def test_a_photo_loses_its_location_and_camera_and_is_turned_upright(session, patient):
    data = _photo_with_location(orientation=6, size=(40, 20))
    assert b"CanaryCam" in data
    view = files.store_upload(session, patient, "message_attachment", "IMG_0042.JPG", data)
    stored = _stored(session)[0]
    assert (view.kind, stored.content_type, stored.name) == ("jpeg", "image/jpeg", "IMG_0042.jpg")
    assert b"CanaryCam" not in stored.data and b"Exif" not in stored.data
    with Image.open(io.BytesIO(stored.data)) as image:
        assert image.size == (20, 40)  # orientation 6: the phone was held upright
        assert not image.getexif()


def test_bytes_hidden_after_a_picture_are_dropped(session, patient):
    data = _png() + b"<script>alert('hidden')</script>"
    files.store_upload(session, patient, "message_attachment", "scan.png", data)
    assert b"hidden" not in _stored(session)[0].data


def test_the_kind_comes_from_the_content_not_the_name(session, patient):
    with pytest.raises(InvalidInput) as refused:
        files.store_upload(session, patient, "message_attachment", "photo.jpg", b"just some text, not a photo")
    assert refused.value.key == "files.error.type"
    view = files.store_upload(session, patient, "message_attachment", "photo.jpg", PDF)
    assert (view.kind, view.name) == ("pdf", "photo.pdf")


def test_each_purpose_takes_only_its_kinds(session, patient):
    with pytest.raises(InvalidInput) as refused:
        files.store_upload(session, patient, "insurance_card", "card.pdf", PDF)
    assert refused.value.key == "files.error.type"
    assert _stored(session) == []


def test_too_big_and_empty_files_are_refused_and_nothing_is_kept(session, patient):
    with pytest.raises(InvalidInput) as refused:
        files.store_upload(session, patient, "message_attachment", "big.pdf", PDF + b" " * (10 * files.MB))
    assert (refused.value.key, refused.value.params) == ("files.error.too_big", {"mb": 10})
    with pytest.raises(InvalidInput) as refused:
        files.store_upload(session, patient, "message_attachment", "empty.pdf", b"")
    assert refused.value.key == "files.error.empty"
    assert _stored(session) == []


def test_a_picture_with_too_many_pixels_is_refused_before_decoding(session, patient):
    with pytest.raises(InvalidInput) as refused:
        files.store_upload(session, patient, "message_attachment", "bomb.png", _png((8000, 6000), mode="1"))
    assert refused.value.key == "files.error.image_too_large"


def test_a_damaged_picture_is_refused(session, patient):
    with pytest.raises(InvalidInput) as refused:
        files.store_upload(session, patient, "message_attachment", "cut.jpg", _photo_with_location()[:200])
    assert refused.value.key == "files.error.broken_image"


def test_who_may_upload_depends_on_the_purpose(session, make, patient):
    nurse = Actor.for_user(make("rn.files", PASSWORD, role=Role.NURSE, authenticator=False))
    desk = Actor.for_user(make("desk.files", PASSWORD, role=Role.FRONT_DESK, authenticator=False))
    files.store_upload(session, nurse, "message_attachment", "a.png", _png())
    files.store_upload(session, desk, "insurance_card", "card.png", _png())
    with pytest.raises(PermissionDenied):
        files.store_upload(session, nurse, "insurance_card", "card.png", _png())
    with pytest.raises(PermissionDenied):
        files.store_upload(session, None, "message_attachment", "a.png", _png())
    with pytest.raises(InvalidInput):
        files.store_upload(session, patient, "../../etc", "a.png", _png())


def test_uploads_are_limited_per_hour(session, patient):
    small = _png((2, 2))
    with time_machine.travel(clock.now(), tick=False) as traveller:
        for _ in range(files.HOURLY_LIMIT):
            files.store_upload(session, patient, "message_attachment", "a.png", small)
        with pytest.raises(InvalidInput) as refused:
            files.store_upload(session, patient, "message_attachment", "a.png", small)
        assert refused.value.key == "files.error.too_many"
        traveller.shift(timedelta(minutes=61))
        files.store_upload(session, patient, "message_attachment", "a.png", small)


def test_an_upload_is_audited(session, patient):
    files.store_upload(session, patient, "message_attachment", "a.png", _png())
    row = session.exec(select(AuditEvent).where(AuditEvent.category == "upload")).one()
    assert (row.action, row.actor_user_id, row.patient_id) == ("create", patient.user_id, patient.patient_id)


def test_only_the_uploader_can_claim_it_and_only_once(session, make, patient):
    other = Actor.for_user(make("pat.other", PASSWORD, authenticator=False))
    token = files.store_upload(session, patient, "message_attachment", "a.png", _png()).token
    with pytest.raises(NotFound):
        files.claim(session, other, token, "message_attachment", "message:1")
    with pytest.raises(NotFound):
        files.claim(session, patient, token, "insurance_card", "card:1")
    files.claim(session, patient, token, "message_attachment", "message:1")
    with pytest.raises(NotFound):
        files.claim(session, patient, token, "message_attachment", "message:2")
    assert files.attached_file(session, token, "message:1").name == "a.png"
    assert files.attached_file(session, token, "message:2") is None
    assert files.attached_file(session, {"$ne": None}, "message:1") is None


def test_unclaimed_uploads_go_after_a_day_claimed_ones_stay(session, patient):
    kept = files.store_upload(session, patient, "message_attachment", "kept.png", _png()).token
    files.claim(session, patient, kept, "message_attachment", "message:7")
    files.store_upload(session, patient, "message_attachment", "left.png", _png())
    session.commit()
    with time_machine.travel(clock.now() + timedelta(hours=25), tick=False):
        assert files.prune_unclaimed(session) == 1
    assert [row.name for row in _stored(session)] == ["kept.png"]


def test_the_uploader_can_discard_before_sending(session, make, patient):
    token = files.store_upload(session, patient, "message_attachment", "oops.png", _png()).token
    other = Actor.for_user(make("pat.other2", PASSWORD, authenticator=False))
    with pytest.raises(NotFound):
        files.discard(session, other, token, "message_attachment")
    files.discard(session, patient, token, "message_attachment")
    assert _stored(session) == []


@pytest.mark.parametrize("given, expected", [
    ("../../etc/passwd.png", "passwd.png"),
    ("C:\\Users\\me\\card front.PNG", "card front.png"),
    ("bad:name?.png", "bad_name.png"),
    ("<script>alert(1)</script>.png", "script.png"),  # "/" ends a path: only the last part is a name
    ("", "file.png"),
    (None, "file.png"),
])
def test_display_names_are_cleaned(given, expected):
    assert files.clean_name(given, "png") == expected
