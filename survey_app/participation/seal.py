"""Sealing small values that pass through the tablet's page (the `pick` of a name in the sign-in search):
encrypted and authenticated, so the page shows nothing readable (no database id) and nothing made up or
changed is accepted.

The session cookie is signed but readable, so a server-side handle kept there would not hide the id either.
So the value is sealed with Fernet (`cryptography`: AES-128-CBC with HMAC-SHA256, a random IV per value),
under a key derived from SECRET_KEY for this one purpose.
"""
import base64
import hashlib
import hmac
import json
import zlib

from cryptography.fernet import Fernet, InvalidToken
from flask import current_app


def _fernet(secret_key: str | None = None) -> Fernet:
    secret = (secret_key or current_app.config["SECRET_KEY"]).encode()
    return Fernet(base64.urlsafe_b64encode(hmac.new(secret, b"door-seal", hashlib.sha256).digest()))


def seal(value, secret_key: str | None = None) -> str:
    """`value` (anything JSON can hold) as an opaque, tamper-proof string; the app's SECRET_KEY unless
    `secret_key` is given (a benchmark making picks as the app would)."""
    return _fernet(secret_key).encrypt(json.dumps(value, separators=(",", ":")).encode()).decode()


def unseal(text: str | None):
    """The value sealed by seal(), or None if `text` is not one of ours, unchanged."""
    try:
        return json.loads(_fernet().decrypt((text or "").encode()))
    except (InvalidToken, ValueError):
        return None


def seal_compact(value) -> str:
    """seal() for longer text kept in the session cookie (the door's registration answers): UTF-8 rather
    than JSON's \\u escapes, and compressed before it is encrypted, so the cookie stays small."""
    data = zlib.compress(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())
    return _fernet().encrypt(data).decode()


def unseal_compact(text: str | None):
    """The value sealed by seal_compact(), or None if `text` is not one of ours, unchanged."""
    try:
        return json.loads(zlib.decompress(_fernet().decrypt((text or "").encode())))
    except (InvalidToken, ValueError, zlib.error):
        return None
