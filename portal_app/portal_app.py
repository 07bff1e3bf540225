"""The Reflex app: pages, the PWA head, HTTP routes and the background tasks of a web worker."""

from __future__ import annotations

import reflex as rx

from portal_app import models  # noqa: F401  (registers every table)
from portal_app import pages  # noqa: F401  (registers every page)
from portal_app.api.routes import build_routes, with_security_headers
from portal_app.config import settings
from portal_app.jobs import scheduler
from portal_app.state import live_hub
from portal_app.state.error_handler import backend_error

settings.check()  # a production start with unsafe settings stops here, saying which

# rx.el.script, not rx.script: the latter is injected after "load" and never registers the worker.
REGISTER_SERVICE_WORKER = (
    "if ('serviceWorker' in navigator) {"
    " window.addEventListener('load', () => navigator.serviceWorker.register('/sw.js')); }"
)

app = rx.App(
    head_components=[
        rx.el.link(rel="manifest", href="/manifest.webmanifest"),
        rx.el.meta(name="theme-color", content="#3e63dd"),
        rx.el.meta(name="description", content=f"{settings.clinic_name} patient portal"),
        rx.el.link(rel="icon", href="/icons/icon-192.png", type="image/png"),
        rx.el.link(rel="apple-touch-icon", href="/icons/icon-192.png"),
        rx.el.script(REGISTER_SERVICE_WORKER),
        rx.el.script(src="/portal-upload.js"),  # file choosers (components/uploads.py)
        rx.el.script(src="/portal-push.js"),  # web push on this device (pages/profile.py)
    ],
    stylesheets=["/portal.css"],
    api_transformer=[build_routes(), with_security_headers],
    backend_exception_handler=backend_error,
)

app.register_lifespan_task(live_hub.run)
if settings.scheduler == "embedded":
    app.register_lifespan_task(scheduler.run_embedded)
