"""Assembles the HTTP side: our routes first, Reflex behind them, security headers around all."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import ASGIApp

from portal_app.api import auth, files, health, record
from portal_app.api.headers import SecurityHeaders
from portal_app.config import settings

# path -> who may call it; the authorization sweep test fails on any route missing here.
ROUTE_ACCESS = {
    "/auth/complete": "anyone (exchanges a one-time hand-off)",
    "/auth/signout": "anyone (ends the caller's own session)",
    "/healthz": "anyone (no data)",
    "/files/upload": "signed_in (the uploader's own file; who may upload what: services/files.PURPOSES)",
    "/record/fhir": "patient (a chart the person may read: services/fhir_export.record_bundle checks and audits)",
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
            Route("/record/fhir", record.fhir_download, methods=["GET"]),
            Route("/record/pdf", record.pdf_download, methods=["GET"]),
        ]
    )


def with_security_headers(app: ASGIApp) -> ASGIApp:
    return SecurityHeaders(app, settings)
