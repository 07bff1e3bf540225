"""The notifications outbox: transactional, exactly-once queueing; real delivery; safe concurrent senders.

Delivery is checked end to end against real servers started here: an SMTP server (aiosmtpd) and
an HTTP endpoint standing in for a browser's push service, whose payload is decrypted with the
subscription's own private key. Every test runs on SQLite and PostgreSQL where it touches the
database.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import http_ece
import pytest
import time_machine
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlmodel import select

from portal_app import config, db, i18n
from portal_app.jobs import outbox_sender, scheduler
from portal_app.models.outbox import OutboxMessage, PushSubscription
from portal_app.services import channels, notify
from portal_app.services.channels import DeliveryError
from portal_app.services.notify import TemplateError
from tests.services.conftest import make_user
from tests.support.mail import SmtpServer, mail_settings
from tests.support.server import free_port

ROOT = Path(__file__).resolve().parents[2]
START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
NEW_MESSAGE_EN = "You have a new message from your care team. Sign in to read it."
# Health details a careless caller might try to put into a notice; none may ever reach one.
HEALTH_DETAIL = "Biopsy shows melanoma"


# ---- real servers -------------------------------------------------------------------------------


class PushService:
    """An HTTP endpoint posing as a browser push service: keeps each request, answers ``status``."""

    def __init__(self, status: int = 201):
        self.status = status
        self.requests: list[tuple[str, dict[str, str], bytes]] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(outer.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "PushService":
        self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._server.shutdown()
        self._server.server_close()


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclasses.dataclass
class Browser:
    """What a browser keeps for one push subscription: its private key and auth secret."""

    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @classmethod
    def new(cls) -> "Browser":
        return cls(ec.generate_private_key(ec.SECP256R1()), os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url(self.private_key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))

    def decrypt(self, body: bytes) -> dict:
        plain = http_ece.decrypt(body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm")
        return json.loads(plain)


# ---- helpers ------------------------------------------------------------------------------------


def queue(url: str, **overrides) -> bool:
    arguments = dict(dedupe_key="message:1:new", channel="email", recipient="rosa@example.org",
                     kind="new_message", template_key="new_message", language="en", params={})
    arguments.update(overrides)
    with db.transaction(url) as session:
        return notify.queue(session, **arguments)


def rows(url: str) -> list[OutboxMessage]:
    with db.transaction(url) as session:
        return list(session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def one_row(url: str) -> OutboxMessage:
    (row,) = rows(url)
    return row


def as_utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else (moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment)


# ---- queueing -----------------------------------------------------------------------------------


def test_a_notice_exists_only_if_the_change_that_caused_it_commits(database_url):
    with pytest.raises(RuntimeError):
        with db.transaction(database_url) as session:
            assert notify.queue(session, dedupe_key="message:7:new", channel="email", recipient="rosa@example.org",
                                kind="new_message", template_key="new_message", language="en", params={})
            raise RuntimeError("the change failed after the notice was queued")
    assert rows(database_url) == []

    with db.transaction(database_url) as session:
        notify.queue(session, dedupe_key="message:7:new", channel="email", recipient="rosa@example.org",
                     kind="new_message", template_key="new_message", language="en", params={})
        assert rows(database_url) == [], "another connection saw the notice before its transaction committed"
    row = one_row(database_url)
    assert (row.status, row.attempts, row.channel, row.kind) == ("pending", 0, "email", "new_message")
    assert (row.subject, row.body) == ("New message from your care team", NEW_MESSAGE_EN)
    assert as_utc(row.next_attempt_at) == as_utc(row.not_before)


def test_the_same_dedupe_key_is_queued_once(database_url):
    assert queue(database_url) is True
    assert queue(database_url, recipient="someone.else@example.org", language="es") is False

    row = one_row(database_url)
    assert (row.recipient, row.body) == ("rosa@example.org", NEW_MESSAGE_EN)


def test_two_transactions_racing_on_one_key_write_one_row(database_url):
    keys = [f"appointment:{n}:reminder:1d" for n in range(5)]
    results: dict[str, list[bool]] = {key: [] for key in keys}
    errors: list[BaseException] = []

    def worker(barriers):
        try:
            for key, barrier in zip(keys, barriers):
                with db.transaction(database_url) as session:
                    barrier.wait(timeout=30)
                    results[key].append(notify.queue(
                        session, dedupe_key=key, channel="sms", recipient="+15550100142", kind="new_message",
                        template_key="new_message", language="en", params={}))
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    barriers = [threading.Barrier(2) for _ in keys]
    threads = [threading.Thread(target=worker, args=(barriers,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert {key: sorted(outcome) for key, outcome in results.items()} == {key: [False, True] for key in keys}
    assert sorted(row.dedupe_key for row in rows(database_url)) == sorted(keys)


def test_not_before_holds_a_notice_back(database_url, smtp):
    with time_machine.travel(START, tick=False) as traveller:
        queue(database_url, dedupe_key="appointment:42:reminder:3d", not_before=START + timedelta(days=3))
        assert outbox_sender.send_due(database_url=database_url, settings=mail_settings(smtp.port)).claimed == 0
        traveller.move_to(START + timedelta(days=3))
        assert outbox_sender.send_due(database_url=database_url, settings=mail_settings(smtp.port)).sent == 1
    assert smtp.inbox.recipients() == ["rosa@example.org"]


# ---- what a notice may say ----------------------------------------------------------------------


def test_each_template_uses_exactly_its_declared_parameters_in_both_languages():
    portal_filled = {"clinic", "phone"}
    for key, template in notify.TEMPLATES.items():
        for language in i18n.LANGUAGES:
            used = set()
            for part in ("subject", "body"):
                used |= notify.placeholders(i18n.catalog(language)[f"notify.{key}.{part}"])
            assert used - portal_filled == set(template.params), (key, language)


def test_plain_language_texts_in_english_and_spanish():
    clinic, phone = config.settings.clinic_name, config.settings.clinic_phone
    assert notify.render("new_message", "en", {}).body == NEW_MESSAGE_EN
    assert notify.render("new_message", "es", {}).body == (
        "Tiene un mensaje nuevo de su equipo de atención. Inicie sesión para leerlo.")
    assert notify.render("activation_code", "en", {"code": "7K3P-9QX2"}).body == (
        f"Your {clinic} portal activation code is 7K3P-9QX2. It works for 30 days.")
    assert notify.render("security_notice", "en", {"what": "password_changed"}).body == (
        f"Your portal account changed: your password was changed. If this was not you, call {phone}.")
    assert notify.render("security_notice", "es", {"what": "second_factor_removed"}).body == (
        f"Su cuenta del portal cambió: se desactivó el inicio de sesión en dos pasos. "
        f"Si no fue usted, llame al {phone}.")
    assert "15" in notify.render("verification_code", "es", {"code": "482913", "minutes": 15}).body
    assert notify.render("new_message", "fr", {}).body == NEW_MESSAGE_EN  # unknown language: English


@pytest.mark.parametrize("template_key", sorted(notify.TEMPLATES))
def test_no_template_carries_free_text(template_key):
    """Whatever a caller puts in any parameter, a health detail never reaches a notice."""
    template = notify.TEMPLATES[template_key]
    page = {"waitlist_offer": "/appointments/earlier"}.get(template_key, "/reset")  # where its link points
    valid = {"code": "7K3P-9QX2", "minutes": 10, "what": "password_changed",
             "link": f"{config.settings.origins[0]}{page}?t={'A' * 43}", "count": 3, "hours": 24}
    good = {name: valid[name] for name in template.params}
    notify.render(template_key, "en", good)  # the valid form renders
    for name in [*template.params, "text", "message", "body", "result", "subject", "clinic", "phone"]:
        for value in (HEALTH_DETAIL, HEALTH_DETAIL.upper().replace(" ", "-"), "HIV-POSITIVE",
                      "7K3P-9QX2\nBcc: x@y.org", "melanoma"):
            with pytest.raises(TemplateError):
                notify.render(template_key, "en", {**good, name: value})


@pytest.mark.parametrize(
    ("template_key", "params"),
    [
        ("new_message", {"text": "Your HbA1c is 9.1%"}),
        ("activation_code", {}),
        ("activation_code", {"code": "1234 5678"}),
        ("activation_code", {"code": "x" * 41}),
        ("activation_code", {"code": "7K3P-9QX"}),
        ("activation_code", {"code": "7k3p-9qx2"}),
        ("activation_code", {"code": "7K3P-9QX2-"}),
        ("activation_code", {"code": 12345678}),
        ("verification_code", {"code": "482913", "minutes": 10.5}),
        ("verification_code", {"code": "482913", "minutes": True}),
        ("verification_code", {"code": "482913", "minutes": 10**6}),
        ("verification_code", {"code": "482913", "minutes": None}),
        ("security_notice", {"what": "your HIV test was viewed"}),
        ("security_notice", {"what": ["password_changed"]}),
        ("no_such_template", {}),
    ],
)
def test_a_parameter_outside_its_rule_is_refused(template_key, params):
    with pytest.raises(TemplateError):
        notify.render(template_key, "en", params)


BAD_ARGUMENTS = [
    {"channel": "fax"},
    {"kind": "lab_value"},
    {"recipient": "rosa@example.org\r\nBcc: all@example.org"},
    {"recipient": "not an address"},
    {"channel": "sms", "recipient": "555-0100"},
    {"channel": "push", "recipient": "https://push.example/abc"},
    {"channel": "push", "recipient": "1"},  # push needs the user whose device it is
    {"dedupe_key": ""},
    {"dedupe_key": "k" * 201},
    {"template_key": "new_message", "params": {"text": HEALTH_DETAIL}},
]


def test_queue_refuses_bad_arguments_and_writes_nothing(database_url):
    for change in BAD_ARGUMENTS:
        with pytest.raises(TemplateError):
            queue(database_url, **change)
    assert rows(database_url) == []
    assert queue(database_url) is True  # the same call without the bad argument is accepted


# ---- email --------------------------------------------------------------------------------------


def test_email_is_delivered_to_a_real_smtp_server_without_health_details(database_url, smtp):
    queue(database_url, dedupe_key="message:9:new", recipient="rosa@example.org")
    queue(database_url, dedupe_key="user:5:activation", recipient="ana@example.org", kind="activation_code",
          template_key="activation_code", language="es", params={"code": "7K3P-9QX2"})

    report = outbox_sender.send_due(database_url=database_url, settings=mail_settings(smtp.port))

    assert (report.claimed, report.sent, report.retrying, report.failed) == (2, 2, 0, 0)
    assert sorted(smtp.inbox.recipients()) == ["ana@example.org", "rosa@example.org"]
    by_recipient = {message["To"]: message for message in smtp.inbox.messages()}
    rosa = by_recipient["rosa@example.org"]
    assert rosa["Subject"] == "New message from your care team"
    assert rosa["From"] == "portal@maplegrove.example"
    assert rosa["Auto-Submitted"] == "auto-generated"
    assert rosa.get_content().strip() == NEW_MESSAGE_EN  # the template, and nothing else
    ana = by_recipient["ana@example.org"]
    assert ana["Subject"] == f"Su código de activación del portal de {config.settings.clinic_name}"
    assert "7K3P-9QX2" in ana.get_content() and "30 días" in ana.get_content()

    sent = {row.recipient: row for row in rows(database_url)}
    assert all(row.status == "sent" and row.sent_at is not None and row.attempts == 1 for row in sent.values())
    assert sent["rosa@example.org"].body == NEW_MESSAGE_EN
    assert sent["ana@example.org"].body == "", "a delivered code must not stay readable in the outbox"

    assert outbox_sender.send_due(database_url=database_url, settings=mail_settings(smtp.port)).claimed == 0
    assert len(smtp.inbox.received) == 2


def test_a_refused_recipient_fails_for_good_and_the_batch_goes_on(database_url, smtp):
    queue(database_url, dedupe_key="message:1:new", recipient="nobody@example.org")
    queue(database_url, dedupe_key="message:2:new", recipient="rosa@example.org")

    report = outbox_sender.send_due(database_url=database_url, settings=mail_settings(smtp.port))

    assert (report.sent, report.failed, report.retrying) == (1, 1, 0)
    assert smtp.inbox.recipients() == ["rosa@example.org"]
    outcome = {row.recipient: (row.status, row.last_error) for row in rows(database_url)}
    assert outcome == {"nobody@example.org": ("failed", "recipient refused (550)"),
                       "rosa@example.org": ("sent", None)}


def test_mail_server_down_backs_off_then_delivers_when_it_returns(database_url):
    port = free_port()  # nothing listens here yet
    settings = mail_settings(port)
    with time_machine.travel(START, tick=False) as traveller:
        queue(database_url)
        queue(database_url, dedupe_key="message:2:new", recipient="ana@example.org",
              not_before=START + timedelta(minutes=3))
        report = outbox_sender.send_due(database_url=database_url, settings=settings)
        assert (report.sent, report.retrying) == (0, 1)
        row = rows(database_url)[0]
        assert (row.status, row.attempts) == ("pending", 1)
        assert as_utc(row.next_attempt_at) == START + timedelta(minutes=1)
        assert row.last_error == "mail server unreachable (ConnectionRefusedError)"
        assert row.claimed_by is None and row.claimed_until is None

        traveller.move_to(START + timedelta(seconds=59))
        assert outbox_sender.send_due(database_url=database_url, settings=settings).claimed == 0

        traveller.move_to(START + timedelta(minutes=1))
        assert outbox_sender.send_due(database_url=database_url, settings=settings).retrying == 1
        row = rows(database_url)[0]
        assert row.attempts == 2
        assert as_utc(row.next_attempt_at) == START + timedelta(minutes=3)

        server = SmtpServer(port).start()
        try:
            traveller.move_to(START + timedelta(minutes=2))
            assert outbox_sender.send_due(database_url=database_url, settings=settings).claimed == 0
            traveller.move_to(START + timedelta(minutes=3))
            assert outbox_sender.send_due(database_url=database_url, settings=settings).sent == 2
        finally:
            server.stop()
    assert sorted(server.inbox.recipients()) == ["ana@example.org", "rosa@example.org"]
    row, second = rows(database_url)
    assert (second.status, second.attempts) == ("sent", 1)
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)
    assert as_utc(row.sent_at) == START + timedelta(minutes=3)


def test_after_eight_failed_attempts_a_notice_fails_for_good(database_url):
    settings = mail_settings(free_port())
    waits = []
    with time_machine.travel(START, tick=False) as traveller:
        queue(database_url, kind="activation_code", template_key="activation_code", params={"code": "7K3P-9QX2"})
        for _attempt in range(8):
            now = datetime.now(UTC)
            assert outbox_sender.send_due(database_url=database_url, settings=settings).claimed == 1
            row = one_row(database_url)
            if row.status == "pending":
                waits.append(as_utc(row.next_attempt_at) - now)
                traveller.move_to(as_utc(row.next_attempt_at))
        assert outbox_sender.send_due(database_url=database_url, settings=settings).claimed == 0
    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60)]
    row = one_row(database_url)
    assert (row.status, row.attempts) == ("failed", 8)
    assert row.last_error == "mail server unreachable (ConnectionRefusedError)"
    assert row.body == "", "an undeliverable code must not stay readable in the outbox"


def test_backoff_doubles_from_a_minute_and_stops_at_an_hour():
    assert [outbox_sender.backoff(n) for n in range(1, 10)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60, 60, 60)]


# ---- two senders at once ------------------------------------------------------------------------


def _queue_many(url: str, count: int) -> list[str]:
    recipients = [f"patient{n:03d}@example.org" for n in range(count)]
    with db.transaction(url) as session:
        for n, recipient in enumerate(recipients):
            notify.queue(session, dedupe_key=f"message:{n}:new", channel="email", recipient=recipient,
                         kind="new_message", template_key="new_message", language="en", params={})
    return recipients


def test_sender_threads_running_at_once_deliver_each_email_exactly_once(database_url, smtp):
    recipients = _queue_many(database_url, 200)
    settings = mail_settings(smtp.port)
    sent_by: dict[str, int] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def worker(name: str) -> None:
        try:
            start.wait(timeout=30)
            total = 0
            while True:
                report = outbox_sender.send_due(batch=7, worker_id=name, database_url=database_url, settings=settings)
                assert report.claimed <= 7, f"a claim took {report.claimed} rows, more than its batch"
                total += report.sent
                if report.claimed == 0:
                    break
            sent_by[name] = total
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(f"thread-{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert errors == []
    received = Counter(smtp.inbox.recipients())
    assert sorted(received) == sorted(recipients)
    assert set(received.values()) == {1}, "an email was sent twice"
    assert sum(sent_by.values()) == 200
    assert sum(1 for total in sent_by.values() if total) >= 2, f"the senders did not overlap: {sent_by}"
    assert {row.status for row in rows(database_url)} == {"sent"}


_WORKER = """
import sys, time, pathlib
from portal_app.jobs.outbox_sender import send_due
go, ready, name = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
ready.touch()
while not go.exists():
    time.sleep(0.005)
sent = 0
while True:
    report = send_due(batch=5, worker_id=name)
    assert report.claimed <= 5, f"a claim took {report.claimed} rows, more than its batch"
    sent += report.sent
    if report.claimed == 0:
        break
print(sent)
"""


def test_two_sender_processes_deliver_each_email_exactly_once(database_url, smtp, tmp_path):
    recipients = _queue_many(database_url, 200)
    env = {**os.environ, "PORTAL_ENV": "test", "PORTAL_DATABASE_URL": database_url,
           "PORTAL_SMTP_HOST": "127.0.0.1", "PORTAL_SMTP_PORT": str(smtp.port),
           "PYTHONPATH": str(ROOT)}
    go = tmp_path / "go"
    workers = []
    for n in range(2):
        ready = tmp_path / f"ready-{n}"
        process = subprocess.Popen([sys.executable, "-c", _WORKER, str(go), str(ready), f"process-{n}"],
                                   cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        workers.append((process, ready))
    deadline = time.monotonic() + 60
    while not all(ready.exists() for _process, ready in workers):
        assert time.monotonic() < deadline, "the sender processes did not start"
        assert all(process.poll() is None for process, _ready in workers), [p.communicate() for p, _ in workers]
        time.sleep(0.02)
    go.touch()
    sent_by = []
    for process, _ready in workers:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        sent_by.append(int(out.strip().splitlines()[-1]))

    received = Counter(smtp.inbox.recipients())
    assert sorted(received) == sorted(recipients)
    assert set(received.values()) == {1}, "an email was sent twice"
    assert sum(sent_by) == 200
    assert all(sent_by), f"one process sent nothing, so they did not overlap: {sent_by}"


def test_a_claim_is_exclusive_and_a_crashed_senders_claim_expires(database_url, smtp):
    settings = mail_settings(smtp.port)
    with time_machine.travel(START, tick=False) as traveller:
        _queue_many(database_url, 3)
        with db.transaction(database_url) as session:
            outbox_sender.claim(session, 10, "crashed-sender")  # then it dies without sending
        assert {row.status for row in rows(database_url)} == {"sending"}

        assert outbox_sender.send_due(database_url=database_url, settings=settings).claimed == 0
        traveller.move_to(START + outbox_sender.LEASE - timedelta(seconds=1))
        assert outbox_sender.send_due(database_url=database_url, settings=settings).claimed == 0
        assert smtp.inbox.received == []

        traveller.move_to(START + outbox_sender.LEASE + timedelta(seconds=1))
        report = outbox_sender.send_due(database_url=database_url, settings=settings)
    assert (report.claimed, report.sent) == (3, 3)
    assert len(smtp.inbox.received) == 3
    assert [(row.status, row.attempts) for row in rows(database_url)] == [("sent", 2)] * 3


def test_two_claims_at_once_take_different_rows(database_url):
    _queue_many(database_url, 10)
    with db.transaction(database_url) as first:
        token_a = outbox_sender.claim(first, 6, "a")
    with db.transaction(database_url) as second:
        token_b = outbox_sender.claim(second, 6, "b")
    claimed = Counter(row.claimed_by for row in rows(database_url))
    assert claimed == {token_a: 6, token_b: 4}


# ---- SMS ----------------------------------------------------------------------------------------


def test_sms_log_gateway_masks_the_number(database_url, caplog):
    caplog.set_level(logging.INFO, logger="portal.notify")
    queue(database_url, channel="sms", recipient="+15550100142", kind="verification_code",
          template_key="verification_code", params={"code": "482913", "minutes": 10})

    report = outbox_sender.send_due(database_url=database_url, settings=dataclasses.replace(config.settings, env="test"))

    assert report.sent == 1
    logged = "\n".join(record.getMessage() for record in caplog.records if record.name == "portal.notify")
    assert "SMS to +1555...0142 queued" in logged
    assert "+15550100142" not in logged and "5550100142" not in logged
    assert "482913" in logged  # outside production the code is shown, so a developer can use it


class RecordingGateway:
    """A stand-in SMS provider plugged in by name, as a clinic's own gateway would be."""

    sent: list[tuple[str, str]] = []

    def __init__(self, settings):
        self.settings = settings

    def send(self, to: str, body: str) -> None:
        if to.endswith("0000"):
            raise DeliveryError("provider refused (21211)", permanent=True)
        RecordingGateway.sent.append((to, body))


def test_a_pluggable_sms_gateway_receives_the_text(database_url):
    RecordingGateway.sent = []
    settings = dataclasses.replace(config.settings, sms_gateway="tests.services.test_outbox:RecordingGateway")
    queue(database_url, channel="sms", recipient="+34600111222", language="es")
    queue(database_url, dedupe_key="message:2:new", channel="sms", recipient="+34600110000")

    report = outbox_sender.send_due(database_url=database_url, settings=settings)

    assert (report.sent, report.failed) == (1, 1)
    assert RecordingGateway.sent == [("+34600111222", notify.render("new_message", "es", {}).body)]
    failed = [row for row in rows(database_url) if row.status == "failed"]
    assert [(row.recipient, row.last_error, row.attempts) for row in failed] == [
        ("+34600110000", "provider refused (21211)", 1)]


def test_production_refuses_the_log_sms_gateway(database_url):
    production = dataclasses.replace(
        config.settings, env="production", origins=("https://portal.maplegrove.example",), debug=False,
        secret_key="s" * 40, password_pepper="p" * 40, encryption_key="cHJvZHVjdGlvbi1rZXktMzItYnl0ZXMtbG9uZy4uLi4=",
        bcrypt_cost=12, patient_idle_seconds=1800, staff_idle_seconds=900, sms_gateway="log")
    assert any("PORTAL_SMS_GATEWAY" in problem for problem in production.problems())
    with pytest.raises(DeliveryError):
        channels.LogSmsGateway(production)

    # Even a sender started around the check sends nothing through it: the text waits.
    queue(database_url, channel="sms", recipient="+15550100142")
    report = outbox_sender.send_due(database_url=database_url, settings=production)
    assert (report.sent, report.retrying) == (0, 1)
    assert one_row(database_url).status == "pending"


def test_mask_phone():
    assert channels.mask_phone("+15550100142") == "+1555...0142"
    assert "0100" not in channels.mask_phone("+15550100142")


# ---- web push -----------------------------------------------------------------------------------


def _push_settings() -> config.Settings:
    keys = channels.generate_vapid_keys()
    return dataclasses.replace(config.settings, vapid_private_key=keys.private_key,
                               vapid_public_key=keys.public_key, vapid_subject="mailto:it@maplegrove.example")


def _verify_vapid(authorization: str, settings: config.Settings, audience: str) -> dict:
    """Check the VAPID JWT (RFC 8292) is signed by our key for this push service."""
    scheme, _, fields = authorization.partition(" ")
    assert scheme == "vapid"
    parts = dict(part.strip().split("=", 1) for part in fields.split(","))
    assert parts["k"] == settings.vapid_public_key
    header, claims, signature = parts["t"].split(".")
    raw = unb64url(signature)
    public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(settings.vapid_public_key))
    public.verify(encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
                  f"{header}.{claims}".encode(), ec.ECDSA(hashes.SHA256()))
    decoded = json.loads(unb64url(claims))
    assert decoded["aud"] == audience and decoded["sub"] == settings.vapid_subject
    return decoded


def test_web_push_arrives_encrypted_for_the_device_and_decrypts(database_url, session):
    user = make_user(session, "rosa", "rosa's long garden passphrase")
    browser = Browser.new()
    settings = _push_settings()
    with PushService() as push:
        with db.transaction(database_url) as tx:
            subscription_id = notify.save_push_subscription(
                tx, user.id, f"{push.origin}/push/v2/device-1", browser.p256dh, b64url(browser.auth))
            notify.queue(tx, dedupe_key="result:3:ready", channel="push", recipient=str(subscription_id),
                         kind="result_ready", template_key="result_ready", language="en", params={},
                         user_id=user.id, patient_id=user.patient_id)

        report = outbox_sender.send_due(database_url=database_url, settings=settings)

    assert report.sent == 1
    ((path, headers, body),) = push.requests
    assert path == "/push/v2/device-1"
    assert headers["content-encoding"] == "aes128gcm"
    assert int(headers["ttl"]) == channels.PUSH_TTL_SECONDS
    assert b"test result" not in body, "the payload travelled in clear"
    assert browser.decrypt(body) == {
        "title": "A new test result is ready",
        "body": "A new test result is in your portal. Sign in to see it.",
        "tag": "result_ready",
        "url": "/",
    }
    _verify_vapid(headers["authorization"], settings, push.origin)
    with pytest.raises(Exception):  # another device's key cannot read it
        Browser.new().decrypt(body)
    assert one_row(database_url).status == "sent"


def test_a_device_the_push_service_forgot_is_revoked_and_not_retried(database_url, session):
    user = make_user(session, "rosa", "rosa's long garden passphrase")
    browser = Browser.new()
    settings = _push_settings()
    with PushService(status=410) as push:
        with db.transaction(database_url) as tx:
            subscription_id = notify.save_push_subscription(
                tx, user.id, f"{push.origin}/push/gone", browser.p256dh, b64url(browser.auth))
            for n in (1, 2):
                notify.queue(tx, dedupe_key=f"message:{n}:new", channel="push", recipient=str(subscription_id),
                             kind="new_message", template_key="new_message", language="en", params={},
                             user_id=user.id)
        report = outbox_sender.send_due(database_url=database_url, settings=settings)

    assert (report.sent, report.failed, report.retrying) == (0, 2, 0)
    assert len(push.requests) == 1, "the second push went to a device already known to be gone"
    assert [row.last_error for row in rows(database_url)] == ["push subscription gone (410)", "push subscription revoked"]
    with db.transaction(database_url) as tx:
        assert tx.get(PushSubscription, subscription_id).revoked_at is not None


def test_a_device_now_signed_in_to_another_account_gets_no_push_for_the_first(database_url, session):
    rosa = make_user(session, "rosa", "rosa's long garden passphrase")
    walter = make_user(session, "walter", "walter's long garden passphrase")
    browser = Browser.new()
    with PushService() as push:
        endpoint = f"{push.origin}/push/shared-tablet"
        with db.transaction(database_url) as tx:
            subscription_id = notify.save_push_subscription(tx, rosa.id, endpoint, browser.p256dh, b64url(browser.auth))
            notify.queue(tx, dedupe_key="message:1:new", channel="push", recipient=str(subscription_id),
                         kind="new_message", template_key="new_message", language="en", params={}, user_id=rosa.id)
        with db.transaction(database_url) as tx:
            assert notify.save_push_subscription(tx, walter.id, endpoint, browser.p256dh,
                                                 b64url(browser.auth)) == subscription_id
        report = outbox_sender.send_due(database_url=database_url, settings=_push_settings())
    assert (report.sent, report.failed) == (0, 1)
    assert push.requests == []
    assert one_row(database_url).last_error == "push subscription now belongs to another user"


@pytest.mark.parametrize(
    ("endpoint", "production", "accepted"),
    [
        ("https://fcm.googleapis.com/fcm/send/abc", True, True),
        ("https://updates.push.services.mozilla.com/wpush/v2/abc", True, True),
        ("https://web.push.apple.com/QGx", True, True),
        ("http://127.0.0.1:8080/push", True, False),
        ("https://10.0.0.5/internal", True, False),
        ("https://fcm.googleapis.com.evil.example/x", True, False),
        ("http://127.0.0.1:8080/push", False, True),
        ("https://10.0.0.5/internal", False, False),
    ],
)
def test_push_endpoints_are_limited_to_push_services(session, endpoint, production, accepted):
    user = make_user(session, "rosa", "rosa's long garden passphrase")
    settings = dataclasses.replace(config.settings, env="production" if production else "test")
    browser = Browser.new()
    if accepted:
        assert notify.save_push_subscription(session, user.id, endpoint, browser.p256dh, b64url(browser.auth), settings)
    else:
        with pytest.raises(TemplateError):
            notify.save_push_subscription(session, user.id, endpoint, browser.p256dh, b64url(browser.auth), settings)


def test_push_keys_are_checked(session):
    user = make_user(session, "rosa", "rosa's long garden passphrase")
    browser = Browser.new()
    endpoint = "https://fcm.googleapis.com/fcm/send/abc"
    for p256dh, auth in [(browser.p256dh, b64url(b"short")), (b64url(b"\x04" * 33), b64url(browser.auth)),
                         ("!!not base64!!", b64url(browser.auth))]:
        with pytest.raises(TemplateError):
            notify.save_push_subscription(session, user.id, endpoint, p256dh, auth)


def test_development_vapid_keys_are_made_once_and_kept(tmp_path):
    path = tmp_path / "var" / "vapid.json"
    development = dataclasses.replace(config.settings, env="development", vapid_private_key="", vapid_public_key="")
    results = []
    threads = [threading.Thread(target=lambda: results.append(channels.vapid_keys(development, path)))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1, "two different development key pairs"
    assert channels.vapid_keys(development, path) == results[0]
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert config._vapid_pair_matches(results[0].private_key, results[0].public_key)
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind

    with pytest.raises(DeliveryError):
        channels.vapid_keys(dataclasses.replace(development, env="production"), tmp_path / "other.json")


# ---- cancel, prune, schedule --------------------------------------------------------------------


def test_cancel_withdraws_only_that_appointments_pending_reminders(database_url, smtp):
    settings = mail_settings(smtp.port)
    queue(database_url, dedupe_key="appointment:42:reminder:sent")
    outbox_sender.send_due(database_url=database_url, settings=settings)
    for key in ("appointment:42:reminder:3d", "appointment:42:reminder:1d", "appointment:4:reminder:1d",
                "appointment:420:reminder:1d", "appointment:4x:reminder:1d"):
        queue(database_url, dedupe_key=key, recipient=f"{key.split(':')[1]}@example.org")

    with db.transaction(database_url) as session:
        assert notify.cancel(session, "appointment:42:") == 2
    with db.transaction(database_url) as session:
        assert notify.cancel(session, "appointment:4_:") == 0  # "_" is a character, not a wildcard
        assert notify.cancel(session, "appointment:%:") == 0
    with pytest.raises(TemplateError):
        with db.transaction(database_url) as session:
            notify.cancel(session, "appointment:4")

    status = {row.dedupe_key: row.status for row in rows(database_url)}
    assert status == {
        "appointment:42:reminder:sent": "sent",
        "appointment:42:reminder:3d": "cancelled",
        "appointment:42:reminder:1d": "cancelled",
        "appointment:4:reminder:1d": "pending",
        "appointment:420:reminder:1d": "pending",
        "appointment:4x:reminder:1d": "pending",
    }
    smtp.inbox.received.clear()
    assert outbox_sender.send_due(database_url=database_url, settings=settings).sent == 3
    assert sorted(smtp.inbox.recipients()) == ["420@example.org", "4@example.org", "4x@example.org"]
    # Cancelled keys stay taken: the same reminder cannot be queued again by accident.
    assert queue(database_url, dedupe_key="appointment:42:reminder:3d") is False


def test_cancel_rolled_back_with_its_transaction_cancels_nothing(database_url):
    queue(database_url, dedupe_key="appointment:7:reminder:1d")
    with pytest.raises(RuntimeError):
        with db.transaction(database_url) as session:
            notify.cancel(session, "appointment:7:")
            raise RuntimeError("cancelling the appointment failed")
    assert one_row(database_url).status == "pending"


def test_old_finished_notices_are_pruned(database_url, smtp):
    with time_machine.travel(START, tick=False) as traveller:
        queue(database_url, dedupe_key="old:sent:")
        outbox_sender.send_due(database_url=database_url, settings=mail_settings(smtp.port))
        queue(database_url, dedupe_key="old:pending:", not_before=START + timedelta(days=200))
        traveller.move_to(START + outbox_sender.KEEP_FINISHED + timedelta(days=1))
        queue(database_url, dedupe_key="new:sent:")
        outbox_sender.send_due(database_url=database_url, settings=mail_settings(smtp.port))
        with db.transaction(database_url) as session:
            assert outbox_sender.prune_finished(session) == 1
    assert sorted(row.dedupe_key for row in rows(database_url)) == ["new:sent:", "old:pending:"]


def test_the_scheduler_runs_the_sender_every_ten_seconds_one_at_a_time():
    from apscheduler.schedulers.background import BackgroundScheduler

    jobs = BackgroundScheduler(timezone="UTC")
    scheduler.add_jobs(jobs)
    sender = jobs.get_job("outbox_sender")
    assert sender.func is outbox_sender.run
    assert sender.trigger.interval == timedelta(seconds=10)
    assert (sender.max_instances, sender.coalesce) == (1, True)
    assert jobs.get_job("prune_outbox").func is outbox_sender.prune


