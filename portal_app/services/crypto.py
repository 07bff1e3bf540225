"""Encrypting secrets at rest (TOTP keys) with AES-256-GCM, key from configuration.

The key never lives in the database, so a stolen database alone does not reveal the secrets.
Each value gets a fresh 96-bit nonce, stored in front of the ciphertext.
"""

from __future__ import annotations

import base64
import os
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from portal_app.config import settings

NONCE_BYTES = 12


@lru_cache(maxsize=4)
def _cipher(key_b64: str) -> AESGCM:
    key = base64.b64decode(key_b64)
    if len(key) != 32:
        raise ValueError("PORTAL_ENCRYPTION_KEY must be 32 bytes, base64-encoded")
    return AESGCM(key)


def encrypt(plain: bytes, purpose: str) -> bytes:
    """``purpose`` is bound as associated data, so a TOTP secret cannot be replayed as something else."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + _cipher(settings.encryption_key).encrypt(nonce, plain, purpose.encode())


def decrypt(sealed: bytes, purpose: str) -> bytes:
    return _cipher(settings.encryption_key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], purpose.encode())
