"""One-time form tokens: issued by the server, signed, good for a day, each tied to the door visit it was
shown in. OnceForm (forms/door.py) checks them; participation/taking_part.py claims them once."""
import base64
import hashlib
import re
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner

# A one-time token is issued by the server: a random nonce signed with the app's SECRET_KEY and the time
# (itsdangerous, as Flask's session cookie), 57 characters, so a browser cannot make up its own and one page
# load cannot post for ever. The nonce makes each token unique; the FormToken row of a used one stops a
# replay. A token is good for FORM_TOKEN_MAX_AGE: longer than a door tablet stays open on one form (a
# meeting's day), shorter than the FORM_TOKEN_DAYS for which retention keeps used tokens' rows, so a token
# whose row has been deleted is always too old to be accepted again (tests/test_flood.py checks it).
FORM_TOKEN_SALT = "form-token"  # noqa: S105 (a salt that names the signer's purpose, not a secret)
FORM_TOKEN_MAX_AGE = 24 * 3600
FORM_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{4,8}\.[A-Za-z0-9_-]{27}$")
TOKEN_NOT_OURS = _l("Something went wrong on our side. Please press the button again.")
TOKEN_TOO_OLD = _l("This page was open for a long time, so we could not save it yet. "
                   "Check your answers and press the button again.")


def form_token_signer(secret_key: str) -> TimestampSigner:
    return TimestampSigner(secret_key, salt=FORM_TOKEN_SALT)


def _signer() -> TimestampSigner:
    """This app's signer, made once: the door sign-in confirm checks a token on every press."""
    key = current_app.config["SECRET_KEY"]
    made = current_app.extensions.get("form_token_signer")
    if made is None or made[0] != key:
        made = current_app.extensions["form_token_signer"] = (key, form_token_signer(key))
    return made[1]


# The signed value is 16 random characters (96 bits) and VISIT_TAG_CHARS standing for the door visit the form
# was shown in, so a form from one person's turn at the tablet cannot be sent in another's (kiosk.py): the tag
# is under the signature, so it cannot be changed. Forms off the tablet (personal links) have no visit.
NONCE_CHARS = 16
VISIT_TAG_CHARS = 6


def visit_tag(visit: str | None) -> str:
    """Six characters for a door visit's random key (or for no visit)."""
    digest = hashlib.sha256(b"door-visit:" + (visit or "").encode()).digest()
    return base64.urlsafe_b64encode(digest).decode()[:VISIT_TAG_CHARS]


def new_form_token(visit: str | None = None) -> str:
    return _signer().sign(secrets.token_urlsafe(12) + visit_tag(visit)).decode()


def token_visit_tag(token: str | None) -> str:
    """The visit tag inside a token (meaningful only once its signature is checked)."""
    return (token or "")[NONCE_CHARS:NONCE_CHARS + VISIT_TAG_CHARS]


def from_other_visit(token: str | None, visit: str | None) -> bool:
    """True if this server issued the token (at any age) in a visit other than `visit`. A token that is
    not ours is not "another visit": the form's own token check refuses it with its own message."""
    if not FORM_TOKEN_RE.match(token or ""):
        return False
    try:
        _signer().unsign(token)
    except BadSignature:
        return False
    return token_visit_tag(token) != visit_tag(visit)


def form_token_problem(token: str | None, max_age: int = FORM_TOKEN_MAX_AGE):
    """None if this server issued the token less than `max_age` seconds ago (used or not: claiming it is
    the caller's job), else the sentence to show. One HMAC check. Only the door tablet's offline queue
    (participation/offline.py) gives a longer max_age."""
    if not FORM_TOKEN_RE.match(token or ""):
        return TOKEN_NOT_OURS
    try:
        _signer().unsign(token, max_age=max_age)
    except SignatureExpired:
        return TOKEN_TOO_OLD
    except BadSignature:
        return TOKEN_NOT_OURS
    return None
