"""Importing this package registers every page (``@rx.page`` only registers on import)."""

from portal_app.pages import account, activate, admin, console, home, index, more, patients, recovery, sections, signin

__all__ = ["account", "activate", "admin", "console", "home", "index", "more", "patients", "recovery", "sections", "signin"]
