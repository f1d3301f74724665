"""At most LOGIN_PASSWORD_SLOTS password checks at once on this server, across all its worker processes.

Checking a password (scrypt) takes a CPU core for about a tenth of a second or more. gunicorn's sync
workers serve one request each, so a flood of sign-in attempts from many addresses could keep every core
and worker hashing while other pages wait. A slot is an exclusive flock() on one of LOGIN_PASSWORD_SLOTS
files in the instance folder's password-slots/: the kernel releases it when the check ends or the process
dies, so a killed worker never leaves a slot taken. One request at a time may wait up to LOGIN_SLOT_WAIT_MS
for a slot (two staff signing in at the same moment both get in); any other is answered at once ("busy",
503 with Retry-After) instead of queueing, so at most LOGIN_PASSWORD_SLOTS + 1 workers are ever busy with
passwords.

If the folder cannot be used (a read-only instance folder), checks are not capped and one warning is logged.
"""
import fcntl
import logging
import os
import random
import time
from contextlib import contextmanager
from pathlib import Path

from flask import current_app

log = logging.getLogger(__name__)
POLL_SECONDS = 0.01
_warned = []


class Busy(Exception):
    """No password-check slot came free in time."""


def _try_each(folder: Path, count: int) -> int | None:
    """An open descriptor holding one free slot's lock, or None if every slot is taken."""
    first = random.randrange(count)  # noqa: S311 (spreads processes over the slots; not a secret)
    for i in range(count):
        fd = _lock(folder / f"slot-{(first + i) % count}.lock")
        if fd is not None:
            return fd
    return None


def _lock(path: Path) -> int | None:
    """An open descriptor holding the lock on `path`, or None if another holds it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd
    except BlockingIOError:
        os.close(fd)
        return None


def _wait_for_one(folder: Path, count: int, deadline: float) -> int | None:
    """A slot, waiting for one until `deadline` only if nobody else is waiting (the one waiting place is
    free): so at most LOGIN_PASSWORD_SLOTS + 1 workers are ever busy with passwords, and a flood is
    answered at once instead of holding workers that other pages need."""
    fd = _try_each(folder, count)
    if fd is not None:
        return fd
    waiting = _lock(folder / "waiting.lock")
    if waiting is None:
        return None
    try:
        while fd is None and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
            fd = _try_each(folder, count)
        return fd
    finally:
        os.close(waiting)


@contextmanager
def slot():
    """Hold a password-check slot for the duration; raises Busy if none came free in time."""
    folder = Path(current_app.instance_path) / "password-slots"
    count = current_app.config["LOGIN_PASSWORD_SLOTS"]
    deadline = time.monotonic() + current_app.config["LOGIN_SLOT_WAIT_MS"] / 1000
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        fd = _wait_for_one(folder, count, deadline)
    except OSError as error:
        if not _warned:
            _warned.append(True)
            log.warning("Password checks are not capped: the folder %s cannot be used (%s).", folder,
                        type(error).__name__)
        fd = -1
    if fd is None:
        raise Busy()
    try:
        yield
    finally:
        if fd >= 0:
            os.close(fd)  # closing the only descriptor releases the lock
