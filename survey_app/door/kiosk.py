"""Door mode: the tablet's browser is locked to one meeting, and each person's visit is wiped when
they finish or walk away. All of it lives in the signed session cookie of that browser."""
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app, redirect, request, session, url_for

from ..extensions import db
from ..models import Meeting

DOOR = "door"
VISIT = "visit"
# Without JavaScript nobody is warned, so the server waits longer than the 3-minute on-screen warning.
VISIT_IDLE_SECONDS = 10 * 60
# Endpoints a locked tablet may reach; everything else sends it back to the welcome screen.
OPEN_IN_DOOR_MODE = {"static", "auth.health"}
# Door pages are the busiest in the service; what they show of the meeting is kept this long per process,
# so an organiser's edit (or opening the checklist) reaches the tablet within this many seconds.
MEETING_CACHE_SECONDS = 15


@dataclass(frozen=True)
class MeetingInfo:
    id: int
    group_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    venue_name: str
    checklist_open: bool


_cache_lock = threading.Lock()


def _cache() -> dict[int, tuple[float, MeetingInfo]]:
    return current_app.extensions.setdefault("door_meetings", {})


def start(meeting_id: int) -> None:
    session.clear()
    session.permanent = True  # survives a tablet restart for the whole day's meeting
    # "t": this tablet's random id, so searches can be counted per tablet (survey_app/door/signin.py).
    session[DOOR] = {"m": meeting_id, "t": secrets.token_urlsafe(16)}


def stop() -> None:
    session.clear()


def meeting_id() -> int | None:
    door = session.get(DOOR)
    return door.get("m") if door else None


def meeting() -> MeetingInfo | None:
    """What door pages need to know about the tablet's meeting."""
    mid = meeting_id()
    if mid is None:
        return None
    now = time.monotonic()
    with _cache_lock:
        hit = _cache().get(mid)
    if hit and now - hit[0] < MEETING_CACHE_SECONDS:
        return hit[1]
    row = db.session.get(Meeting, mid)
    if row is None:
        return None
    info = MeetingInfo(row.id, row.group_id, row.title, row.starts_at, row.ends_at, row.venue_name,
                       row.checklist_open)
    with _cache_lock:
        _cache()[mid] = (now, info)
    return info


def forget_meeting(mid: int) -> None:
    """Called when an organiser changes the meeting, so this process shows the change at once."""
    with _cache_lock:
        _cache().pop(mid, None)


def visit() -> dict:
    return session.get(VISIT) or {}


def update_visit(**values) -> None:
    current = dict(visit())
    current.update(values, at=int(time.time()))
    session[VISIT] = current


def tablet_key() -> str:
    """This tablet's random id, made when door mode started (or on first use for an older session)."""
    door = dict(session.get(DOOR) or {})
    if not door.get("t"):
        door["t"] = secrets.token_urlsafe(16)
        session[DOOR] = door
    return door["t"]


def person_id() -> int | None:
    return visit().get("p")


def set_person(person_id: int, *, registered: bool = False) -> None:
    """The person whose turn it is. `registered`: they registered in this visit, so the door may ask
    them how they want to be thanked; someone who only signed in is never shown or asked that."""
    update_visit(p=person_id, r=registered)


def registered_here() -> bool:
    return bool(visit().get("r"))


def visit_key() -> str:
    """A random key for this visit (one person's turn at the tablet, until they finish, start again or walk
    away), made on first use. Votes are counted once per suggestion per visit (SuggestionVote.visit)."""
    key = visit().get("v")
    if not key:
        key = secrets.token_urlsafe(16)
        update_visit(v=key)
    return key


def end_visit() -> None:
    """The next person starts from nothing: no name, no language, no display settings."""
    session.pop(VISIT, None)
    session.pop("lang", None)


def init_app(app: Flask) -> None:
    @app.before_request
    def lock_to_door():
        if DOOR not in session:
            return None
        if request.blueprint == "door" or request.endpoint in OPEN_IN_DOOR_MODE:
            at = visit().get("at")
            if at and time.time() - at > VISIT_IDLE_SECONDS:
                end_visit()
            return None
        return redirect(url_for("door.welcome"))

    @app.context_processor
    def door_display():
        v = visit() if DOOR in session else {}
        return {"big_text": v.get("big", False), "high_contrast": v.get("hc", False)}
