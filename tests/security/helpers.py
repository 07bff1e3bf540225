"""Shared pieces of the security tests: our Reflex states, a raw Socket.IO client, canaries.

The raw client speaks the wire protocol a browser's Reflex runtime speaks (REFLEX-NOTES §8), so a
test can do what an attacker's script can: call any handler by name with any arguments.
"""

from __future__ import annotations

import inspect
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import simple_websocket  # a dependency of python-engineio, hence of reflex

NAMESPACE = "/_event"
OUR_PACKAGE = "portal_app."


# --- our states and their handlers -------------------------------------------------------------


def _walk(cls) -> list[type]:
    found = []
    for sub in sorted(cls.get_substates(), key=lambda c: c.get_full_name()):
        found.append(sub)
        found.extend(_walk(sub))
    return found


def our_states() -> list[type]:
    """Every rx.State subclass defined in portal_app, after the app module has registered them all."""
    import reflex as rx

    import portal_app.portal_app  # noqa: F401  (imports every page, hence every state)

    return [cls for cls in _walk(rx.State) if cls.__module__.startswith(OUR_PACKAGE)]


def our_handlers() -> dict[str, tuple[type, str]]:
    """"ClassName.handler" -> (state class, handler name) for every public handler of ours.

    ``setvar`` is Reflex's own (it only calls ``set_*`` setters, which appear here by name if any
    state ever gets one); names with a leading ``_`` are not callable from a client.
    """
    handlers: dict[str, tuple[type, str]] = {}
    for cls in our_states():
        for name in cls.event_handlers:
            if name == "setvar" or name.startswith("_"):
                continue
            handlers[f"{cls.__name__}.{name}"] = (cls, name)
    return handlers


def handler_parameters(cls: type, name: str) -> list[str]:
    fn = cls.event_handlers[name].fn
    return [p for p in inspect.signature(fn).parameters if p != "self"]


def private_methods(cls: type) -> list[str]:
    """The class's own ``_helpers``: never callable from a client, whatever it sends."""
    return sorted(
        name for name, value in vars(cls).items()
        if name.startswith("_") and not name.startswith("__") and inspect.isfunction(value)
    )


# --- data the anonymous client must never see --------------------------------------------------


def patient_canaries(but: str | None = None) -> list[str]:
    """Strings that identify the demo clinic's patients: names, MRNs, birth dates, phones, emails;
    with ``but``, of every patient except that user (and without the MRN prefix all share)."""
    from portal_app.services.demo_clinic import PATIENTS

    canaries = [] if but else ["MG-1002"]  # every demo MRN starts so (MG-100201...)
    for number, (username, given, family, born, _sex, _language) in enumerate(PATIENTS, start=1):
        if username == but:
            continue
        canaries += [family, f"{given} {family}", born.isoformat(), f"+1555010{1000 + number}",
                     f"{given.lower()}.{family.lower()}@example.com"]
    return canaries


def canaries_in(text: str, canaries: list[str]) -> list[str]:
    lowered = text.lower()
    return [c for c in canaries if c.lower() in lowered]


# --- a raw Socket.IO client -------------------------------------------------------------------


@dataclass
class Update:
    """One ``event`` message from the server: state deltas and/or frontend events."""

    delta: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)

    def vars_named(self, var: str) -> list[Any]:
        """Values of every delta entry for ``var`` (Reflex suffixes var names on the wire)."""
        return [v for state in self.delta.values() if isinstance(state, dict)
                for k, v in state.items() if k in (var, f"{var}_rx_state_")]

    def redirects(self) -> list[str]:
        return [e.get("payload", {}).get("path") for e in self.events if e.get("name") == "_redirect"]


class RawSocket:
    """Engine.IO v4 over a websocket, the Socket.IO namespace Reflex uses, and its event format."""

    def __init__(self, base_url: str, origin: str | None = None, cookie: str | None = None,
                 token: str | None = None):
        self.token = token or str(uuid.uuid4())
        ws_url = base_url.replace("http://", "ws://").replace("https://", "wss://")
        headers = {}
        if origin is not None:
            headers["Origin"] = origin
        if cookie is not None:
            headers["Cookie"] = cookie
        self.ws = simple_websocket.Client.connect(
            f"{ws_url}/_event/?EIO=4&transport=websocket&token={self.token}", headers=headers)
        self.frames: list[str] = []
        # Join the namespace at once: simple_websocket leaves the open packet unread when it arrives
        # with the handshake response, until more data comes in (here, the server's answer).
        self.ws.send(f"40{NAMESPACE},")
        self.open_packet = self._next(timeout=10, what="the engine.io open packet")
        if not self.open_packet.startswith("0{"):
            raise AssertionError(f"expected an engine.io open packet, got {self.open_packet[:200]!r}")
        ack = self._next(timeout=10, what="the namespace connect")
        if not ack.startswith(f"40{NAMESPACE},"):
            raise AssertionError(f"namespace connect refused: {ack[:200]!r}")

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:
            pass

    def __enter__(self) -> RawSocket:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _next(self, timeout: float, what: str) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self.ws.receive(timeout=max(0.05, deadline - time.monotonic()))
            if message is None:
                continue
            if isinstance(message, bytes):
                message = message.decode("utf-8", "replace")
            if message == "2":  # engine.io ping
                self.ws.send("3")
                continue
            self.frames.append(message)
            return message
        raise AssertionError(f"no {what} within {timeout} s")

    def emit(self, name: str, payload: Any, router_data: Any = None) -> None:
        if router_data is None:
            router_data = {"pathname": "/signin/", "query": {}}
        message = ["event", {"name": name, "payload": payload, "router_data": router_data}]
        self.ws.send(f"42{NAMESPACE}," + json.dumps(message))

    def sync(self, sentinel: str, timeout: float = 60) -> list[Update]:
        """Call ``sentinel`` (a handler that redirects) with a unique query parameter; return every
        update received until its redirect. Events of one tab run in order, so everything sent
        before has been handled by then."""
        marker = uuid.uuid4().hex
        self.emit(sentinel, {}, {"pathname": "/signin/", "query": {"sync": marker}})
        updates: list[Update] = []
        seen_marker = False
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"the sentinel {sentinel} was not answered within {timeout} s")
            frame = self._next(timeout=remaining, what=f"answer to the sentinel {sentinel}")
            update = parse(frame)
            if update is None:
                continue
            updates.append(update)
            seen_marker = seen_marker or marker in frame
            if seen_marker and update.redirects():
                return updates

    def text(self) -> str:
        return "\n".join(self.frames)


def parse(frame: str) -> Update | None:
    prefix = f"42{NAMESPACE},"
    if not frame.startswith(prefix):
        return None
    body = json.loads(frame[len(prefix):])
    if not (isinstance(body, list) and len(body) >= 2 and body[0] == "event" and isinstance(body[1], dict)):
        return None
    return Update(delta=body[1].get("delta") or {}, events=body[1].get("events") or [])
