"""Assembles the HTTP side: our routes first, Reflex behind them, security headers around all."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import ASGIApp

from portal_app.api import appointments, auth, files, health, insurance_cards, message_files, push, record
from portal_app.api.headers import SecurityHeaders
from portal_app.config import settings

# path -> who may call it; the authorization sweep test fails on any route missing here.
ROUTE_ACCESS = {
    "/auth/complete": "anyone (exchanges a one-time hand-off)",
    "/auth/signout": "anyone (ends the caller's own session)",
    "/healthz": "anyone (no data)",
    "/files/upload": "signed_in (the uploader's own file; who may upload what: services/files.PURPOSES)",
    "/files/message/{token}": "signed_in (the thread's patient side or its pool's staff: services/messages.attachment)",
    "/calendar/{appointment_id:int}.ics": "signed_in (services/appointment_calendar checks the chart and audits)",
    "/files/insurance-card": "signed_in (insurance.read on that patient, in services/profile.insurance_card; audited)",
    "/record/fhir": "patient (a chart the person may read: services/fhir_export.record_bundle checks and audits)",
    "/push/subscribe": "signed_in (this device's push subscription for the caller's own account)",
    "/push/unsubscribe": "signed_in (the caller's own device only)",
    "/record/pdf": "patient (a chart the person may read: services/record.py checks, record_pdf audits)",
}


def build_routes() -> Starlette:
    """A fresh Starlette app per rx.App (one instance cannot be mounted twice)."""
    return Starlette(
        routes=[
            Route("/auth/complete", auth.complete, methods=["GET"]),
            Route("/auth/signout", auth.sign_out, methods=["GET"]),
            Route("/healthz", health.healthz, methods=["GET"]),
            Route("/files/upload", files.upload, methods=["POST"]),
            Route("/files/message/{token}", message_files.download, methods=["GET"]),
            Route("/calendar/{appointment_id:int}.ics", appointments.calendar_file, methods=["GET"]),
            Route("/files/insurance-card", insurance_cards.insurance_card, methods=["GET"]),
            Route("/record/fhir", record.fhir_download, methods=["GET"]),
            Route("/push/subscribe", push.subscribe, methods=["POST"]),
            Route("/push/unsubscribe", push.unsubscribe, methods=["POST"]),
            Route("/record/pdf", record.pdf_download, methods=["GET"]),
        ]
    )


def with_security_headers(app: ASGIApp) -> ASGIApp:
    return SecurityHeaders(app, settings)
