"""The bare address sends each visitor where they belong."""

from __future__ import annotations

import reflex as rx

from portal_app.components.feedback import loading_block
from portal_app.config import settings
from portal_app.state.guards import GuardState
from portal_app.state.language import tr


@rx.page(route="/", title=settings.clinic_name, on_load=GuardState.entry)
def index() -> rx.Component:
    return rx.el.main(loading_block(tr("status.loading")), id="main")
