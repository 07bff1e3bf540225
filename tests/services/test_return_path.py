"""Where sign-in may send someone back to: only a page of this portal, never another site."""

from __future__ import annotations

import pytest

from portal_app.services.return_path import MAX_LENGTH, safe_return_path

CLAIM = "/appointments/earlier?t=Qx3_-kPz9wLmN0aB7cD1eF2gH3iJ4kL5mN6oP7qR8sT"


@pytest.mark.parametrize("path", [
    CLAIM,
    "/appointments/earlier?offer=12",
    "/messages",
    "/messages/thread?id=7",
    "/console/message-teams/",
])
def test_a_page_of_this_portal_is_kept_as_it_is(path):
    assert safe_return_path(path) == path


@pytest.mark.parametrize("path", [
    "https://evil.example/appointments/earlier",  # another site
    "http:/evil.example",
    "//evil.example/appointments",  # protocol-relative: another site
    "/\\evil.example",  # browsers read a backslash as a slash
    "/%2Fevil.example",  # an encoded slash
    "/appointments/../../evil",  # dotted segments
    "/appointments/earlier?t=x#https://evil.example",
    "/appointments\n/earlier",
    " /appointments",
    "/appointments/earlier?t=a b",
    "javascript:alert(1)",
    "appointments/earlier",  # relative to the sign-in page
    "/Appointments",  # no route of ours has capitals; browsers may differ on case
    "/signin?next=/home",  # no loop
    "/auth/signout",  # a sign-out, not a page
    "/auth/complete?h=x",
    "/",  # the bare address is where everyone lands anyway
    "",
    "/" + "a" * MAX_LENGTH,
    None,
    ["/messages"],
    {"path": "/messages"},
    7,
])
def test_anything_else_gives_none_so_the_person_lands_at_home(path):
    assert safe_return_path(path) is None
