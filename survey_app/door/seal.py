"""Sealing small values that pass through the tablet's page (the `pick` of a name in the sign-in search):
encrypted and authenticated, so the page shows nothing readable (no database id) and nothing made up or
changed is accepted.

The session cookie is signed but readable, so a server-side handle kept there would not hide the id either;
and `cryptography` is not a runtime dependency. So this is encrypt-then-MAC with the standard library only:
two keys derived from SECRET_KEY with HMAC-SHA256 under separate labels; a random 16-byte nonce per value;
the keystream is HMAC-SHA256(encryption key, nonce || block counter) (a PRF in counter mode); the tag is the
first 16 bytes of HMAC-SHA256(MAC key, nonce || ciphertext), checked in constant time before decrypting.
The value is URL-safe base64 (no padding) of nonce || ciphertext || tag.
"""
import base64
import binascii
import hashlib
import hmac
import json
import secrets

from flask import current_app

NONCE = 16
TAG = 16


def _keys(secret_key: str | None = None) -> tuple[bytes, bytes]:
    secret = (secret_key or current_app.config["SECRET_KEY"]).encode()
    return (hmac.new(secret, b"door-seal-encrypt", hashlib.sha256).digest(),
            hmac.new(secret, b"door-seal-authenticate", hashlib.sha256).digest())


def _xor(key: bytes, nonce: bytes, data: bytes) -> bytes:
    stream = b"".join(hmac.new(key, nonce + i.to_bytes(4, "big"), hashlib.sha256).digest()
                      for i in range((len(data) + 31) // 32))
    return bytes(a ^ b for a, b in zip(data, stream))


def seal(value, secret_key: str | None = None) -> str:
    """`value` (anything JSON can hold) as an opaque, tamper-proof string; the app's SECRET_KEY unless
    `secret_key` is given (a benchmark making picks as the app would)."""
    encrypt, authenticate = _keys(secret_key)
    nonce = secrets.token_bytes(NONCE)
    body = nonce + _xor(encrypt, nonce, json.dumps(value, separators=(",", ":")).encode())
    tag = hmac.new(authenticate, body, hashlib.sha256).digest()[:TAG]
    return base64.urlsafe_b64encode(body + tag).rstrip(b"=").decode()


def unseal(text: str | None):
    """The value sealed by seal(), or None if `text` is not one of ours, unchanged."""
    try:
        raw = base64.urlsafe_b64decode((text or "") + "=" * (-len(text or "") % 4))
    except (binascii.Error, ValueError):
        return None
    if len(raw) <= NONCE + TAG:
        return None
    encrypt, authenticate = _keys()
    body, tag = raw[:-TAG], raw[-TAG:]
    if not hmac.compare_digest(hmac.new(authenticate, body, hashlib.sha256).digest()[:TAG], tag):
        return None
    try:
        return json.loads(_xor(encrypt, body[:NONCE], body[NONCE:]))
    except ValueError:
        return None
