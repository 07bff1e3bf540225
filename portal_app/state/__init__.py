"""Thin Reflex state: check the session, call a service, keep what the page shows.

Every public method of a State class can be called by any client with any arguments (see
SECURITY.md), so helpers here are ``_private`` and each handler re-checks the session itself.
"""
