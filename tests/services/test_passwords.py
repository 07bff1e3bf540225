"""Passwords: bcrypt over a peppered HMAC pre-hash, so nothing is truncated and Unicode is stable."""

from __future__ import annotations

import dataclasses
import unicodedata

import pytest

from portal_app.services import passwords
from portal_app.services.passwords import hash_password, verify_password

LONG_A = "correct horse battery staple " * 4  # 116 characters, well past bcrypt's 72 bytes


def test_round_trip():
    stored = hash_password("maple grove morning walk")
    assert verify_password("maple grove morning walk", stored)
    assert not verify_password("maple grove morning walk ", stored)
    assert not verify_password("Maple grove morning walk", stored)
    assert not verify_password("", stored)


def test_each_hash_is_salted():
    assert hash_password("same password twice!") != hash_password("same password twice!")


def test_no_truncation_passwords_differing_only_in_the_last_of_100_characters():
    first = "a" * 99 + "1"
    second = "a" * 99 + "2"
    assert verify_password(first, hash_password(first))
    assert not verify_password(second, hash_password(first))
    assert not verify_password(first, hash_password(second))


def test_no_truncation_past_72_bytes():
    prefix = "x" * 72
    stored = hash_password(prefix + "tail-one")
    assert not verify_password(prefix + "tail-two", stored)
    assert not verify_password(prefix, stored)


@pytest.mark.parametrize(
    "password",
    [LONG_A, "x" * 256, "ü" * 40, "🔒🦄 paard batterij nietje 🐴", "пароль-очень-длинный-и-надёжный", "パスワードはとても長い"],
    ids=["116-ascii", "256-ascii", "80-bytes-umlauts", "emoji", "cyrillic", "japanese"],
)
def test_long_and_non_ascii_passwords_work(password):
    stored = hash_password(password)
    assert verify_password(password, stored)
    assert not verify_password(password[:-1], stored)


def test_composed_and_decomposed_accents_verify_the_same():
    composed = unicodedata.normalize("NFC", "pässwörd für Jürgen")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed  # different code points, same text on screen

    assert verify_password(decomposed, hash_password(composed))
    assert verify_password(composed, hash_password(decomposed))
    assert not verify_password("passwo̊rd für Jürgen", hash_password(composed))


def test_hash_is_bcrypt_with_the_configured_cost():
    stored = hash_password("a perfectly fine passphrase")
    assert stored.startswith(f"$2b${passwords.settings.bcrypt_cost:02d}$".encode())
    assert len(stored) == 60


def test_production_cost_12_is_used_when_configured(monkeypatch):
    monkeypatch.setattr(passwords, "settings", dataclasses.replace(passwords.settings, bcrypt_cost=12))
    stored = hash_password("a perfectly fine passphrase")
    assert stored.startswith(b"$2b$12$")
    assert verify_password("a perfectly fine passphrase", stored)


def test_the_pepper_is_not_in_the_hash_and_is_required_to_verify(monkeypatch):
    stored = hash_password("a perfectly fine passphrase")
    assert passwords.settings.password_pepper.encode() not in stored
    assert b"perfectly" not in stored

    other = dataclasses.replace(passwords.settings, password_pepper="another-pepper-" + "q" * 32)
    monkeypatch.setattr(passwords, "settings", other)
    assert not verify_password("a perfectly fine passphrase", stored)  # a stolen table alone is not enough


@pytest.mark.parametrize("stored", [None, b""], ids=["no-hash", "empty-hash"])
def test_an_account_without_a_hash_never_verifies(stored):
    assert verify_password("no-such-account", stored) is False
    assert verify_password("", stored) is False
