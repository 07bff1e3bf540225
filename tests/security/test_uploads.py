"""``POST /files/upload`` over plain HTTP: only a signed-in person, from the portal's own pages,
within the size limit; what it keeps belongs to the uploader."""

from __future__ import annotations

import io

import httpx
import pytest
from PIL import Image
from sqlmodel import select

from portal_app import db
from portal_app.models.people import User
from portal_app.models.stored_file import StoredFile
from tests.support.browser import demo_cookie

PATIENT = "sam.oduya"


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 120, 0)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def cookies(portal) -> dict[str, str]:
    return demo_cookie(portal.url, PATIENT)


def _post(portal, body, cookies=None, origin: str | None = "same", purpose="message_attachment", **headers):
    if origin == "same":
        origin = portal.url
    if origin is not None:
        headers["Origin"] = origin
    return httpx.post(f"{portal.url}/files/upload", params={"purpose": purpose, "name": "x.png"}, content=body,
                      cookies=cookies or {}, headers=headers, timeout=30)


def _files_of(portal, username: str) -> list[StoredFile]:
    with db.transaction(portal.env["PORTAL_DATABASE_URL"]) as session:
        user = session.exec(select(User).where(User.username == username)).one()
        return session.exec(select(StoredFile).where(StoredFile.owner_user_id == user.id)).all()


def test_a_signed_in_patient_uploads_a_photo(portal, cookies):
    before = len(_files_of(portal, PATIENT))
    response = _post(portal, _png(), cookies)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["ok"] is True and answer["kind"] == "png" and len(answer["token"]) >= 40
    assert len(_files_of(portal, PATIENT)) == before + 1


def test_nobody_signed_in_is_refused(portal):
    response = _post(portal, _png())
    assert response.status_code == 401 and response.json()["ok"] is False


@pytest.mark.parametrize("origin", ["https://evil.example", "null", None])
def test_a_request_from_elsewhere_is_refused(portal, cookies, origin):
    before = len(_files_of(portal, PATIENT))
    response = _post(portal, _png(), cookies, origin=origin)
    assert response.status_code == 403
    assert len(_files_of(portal, PATIENT)) == before


def test_an_oversized_body_is_refused_by_its_declared_length(portal, cookies):
    response = _post(portal, b"x" * (10 * 1024 * 1024 + 1), cookies)
    assert response.status_code == 413
    assert "too big" in response.json()["error"]


def test_an_oversized_body_without_a_length_is_cut_off(portal, cookies):
    def chunks():
        for _ in range(11):
            yield b"\0" * (1024 * 1024)

    response = _post(portal, chunks(), cookies)
    assert response.status_code == 413


def test_a_mislabelled_file_is_refused_with_a_clear_message(portal, cookies):
    response = _post(portal, b"MZ\x90\x00 an executable pretending", cookies, **{"Content-Type": "image/png"})
    assert response.status_code == 400
    assert "cannot be added" in response.json()["error"]


def test_an_unknown_purpose_is_refused(portal, cookies):
    assert _post(portal, _png(), cookies, purpose="../../public").status_code == 400
