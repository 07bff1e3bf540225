"""The benchmark scenarios, in the order `python -m bench` runs them.

A scenario is a module here exposing `run(portal, browser) -> dict` (figures, JSON-serialisable)
and `summarize(result) -> str` (one line or a few for the printed table). To add one, write the
module and list its name below; `python -m bench NAME ...` then selects it.
"""

from __future__ import annotations

import importlib
from types import ModuleType

SCENARIOS: tuple[str, ...] = (
    "first_load",
    "click_to_screen",
    "live_notice",
    "messages_at_scale",
    "fhir_import",
    "scheduling",
    "booking_calendar",
    "results_at_scale",
)


def load(name: str) -> ModuleType:
    if name not in SCENARIOS:
        raise KeyError(f"unknown scenario {name!r} (known: {', '.join(SCENARIOS)})")
    return importlib.import_module(f"{__name__}.{name}")
