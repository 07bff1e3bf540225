"""The record as a PDF: the sections and released results in the reader's language, the date range
kept, held results left out, the download audited, and nobody else's record."""

from __future__ import annotations

import re
import zlib
from datetime import date, timedelta

import pytest
from sqlmodel import select

from portal_app import clock
from portal_app.models.audit import AuditEvent
from portal_app.models.people import Role
from portal_app.models.record import DiagnosticReport
from portal_app.services import fhir_import, record_pdf, result_release
from portal_app.services.access import Actor
from portal_app.services.errors import NotFound, PermissionDenied
from tests.services.fhir_fixtures import collection, us_core_resources


def _text(pdf: bytes) -> str:
    """The words drawn on the pages (the PDF's content streams, unpacked)."""
    words = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            words.append(zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            continue
    return "".join(words)


@pytest.fixture
def owner(session, make):
    report = fhir_import.import_fhir(session, Actor.system("test"), collection(us_core_resources()))
    user = make("owner", "pw-owner-pdf-1")
    user.patient_id = report.patients[0]
    session.add(user)
    session.commit()
    return Actor(role=user.role, user_id=user.id, patient_id=user.patient_id)


def test_the_pdf_has_the_record_and_results_in_the_readers_language(session, owner):
    pdf = record_pdf.record_pdf(session, owner, owner.patient_id, language="es")
    session.commit()

    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    assert "Mi historia cl" in text and "Alergias" in text and "Resultados de pruebas" in text
    assert "Hemoglobin" in text and "En el rango" in text and "16.5 - 21.5" in text
    downloads = session.exec(select(AuditEvent).where(AuditEvent.patient_id == owner.patient_id,
                                                      AuditEvent.action == "download")).all()
    assert [d.detail for d in downloads] == ["record PDF"]


def test_the_pdf_keeps_the_dates_chosen_and_leaves_out_held_results(session, owner, make):
    doctor = make("drpdf", "pw-dr-pdf-1", role=Role.CLINICIAN)
    cbc = session.exec(select(DiagnosticReport).where(DiagnosticReport.source_id == "cbc")).one()
    result_release.hold(session, Actor(role=doctor.role, user_id=doctor.id), owner.patient_id, report_id=cbc.id,
                        reason="Call first", ends_at=clock.now() + timedelta(days=2))
    session.commit()

    text = _text(record_pdf.record_pdf(session, owner, owner.patient_id, date(2005, 1, 1), date(2005, 12, 31)))

    assert "Basic Metabolic Panel" in text  # July 2005, released
    assert "Hemoglobin [Mass" not in text and "Call first" not in text  # held
    assert "Chest" not in text  # 2019: outside the dates


def test_no_one_else_gets_the_pdf(session, owner, make):
    other = make("stranger", "pw-stranger-pdf-1")
    desk = make("deskpdf", "pw-desk-pdf-1", role=Role.FRONT_DESK)
    for who in (Actor(role=other.role, user_id=other.id, patient_id=other.patient_id), Actor(role=desk.role, user_id=desk.id),
                None):
        with pytest.raises((NotFound, PermissionDenied)):
            record_pdf.record_pdf(session, who, owner.patient_id)
        session.rollback()
