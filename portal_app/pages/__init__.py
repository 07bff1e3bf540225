"""Importing this package registers every page (``@rx.page`` only registers on import)."""

from portal_app.pages import activate, console, home, index, more, patients, sections, signin

__all__ = ["activate", "console", "home", "index", "more", "patients", "sections", "signin"]
