"""Importing this package registers every page (``@rx.page`` only registers on import)."""

from portal_app.pages import console, home, index, more, sections, signin

__all__ = ["console", "home", "index", "more", "sections", "signin"]
