"""What makes a new password acceptable, as NCSC password guidance says: long enough, not one of the
passwords people try first (a bundled list of the 10,000 most common, see common_passwords.txt), and not
the email address it signs in with. Used by every form that sets a password and by accounts.hash_password
(so `users create` follows the same rule)."""
import re
from functools import lru_cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

MIN_LENGTH = 8
MAX_LENGTH = 1024
LIST = Path(__file__).with_name("common_passwords.txt")

TOO_SHORT = _l("Passwords must be at least 8 characters.")
TOO_COMMON = _l("This password is too common: it is one of the first that people who guess passwords try. "
                "Choose another. Three random words together make a good password.")
LIKE_EMAIL = _l("The password must not be the email address or the part before the @. "
                "Choose another. Three random words together make a good password.")

# Digits and symbols people add to a common word to meet a rule ("Password1!", "2024monkey").
_DECORATION = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_LETTERS_AND_DIGITS = re.compile(r"[\W_]+")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line for line in lines if line and not line.startswith("#"))


def is_common(password: str) -> bool:
    """In the list, ignoring case, or a listed word of four or more letters with digits or symbols
    added before or after it."""
    lowered = password.strip().lower()
    common = common_passwords()
    if lowered in common:
        return True
    core = _DECORATION.sub("", lowered)
    return len(core) >= 4 and core in common


def is_like_email(password: str, email: str | None) -> bool:
    """The email, or the part before the @ (ignoring case, spaces and symbols, and digits added after it)."""
    if not email or "@" not in email:
        return False
    squash = lambda text: _LETTERS_AND_DIGITS.sub("", text.strip().lower())  # noqa: E731
    given = squash(password)
    whole, local = squash(email), squash(email.split("@", 1)[0])
    bare = lambda text: text.rstrip("0123456789")  # noqa: E731
    return bool(given) and (given in (whole, local) or bool(bare(local)) and bare(given) in (bare(local), whole))


def problem(password: str, email: str | None = None):
    """Why this new password is refused (a whole-sentence message), or None if it is acceptable.
    Over-long passwords are the form's MaxLength's to report."""
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if is_like_email(password, email):
        return LIKE_EMAIL
    if is_common(password):
        return TOO_COMMON
    return None
