"""Door mode: the tablet's browser is locked to one meeting, and each person's visit is wiped when
they finish or walk away. All of it lives in the signed session cookie of that browser."""
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import wraps

from flask import Flask, abort, current_app, redirect, request, session, url_for
from sqlalchemy import select

from forms.tokens import from_other_visit, new_form_token

from ..models import AgendaItem, AgendaSource, FormToken, Meeting
from ..models.base import LONDON, london_today
from ..web.extensions import db
from .seal import seal_compact, unseal_compact

DOOR = "door"
VISIT = "visit"
# Without JavaScript nobody is warned, so the server waits longer than the on-screen warning: 3 minutes on
# most pages, 10 on the registration pages (data-idle-seconds, see door/register.py), plus its countdown.
VISIT_IDLE_SECONDS = 12 * 60
# The registration answers of this visit (door/register.py), sealed (seal_compact: the cookie is readable).
REGISTER = "reg"
# Sealed answers longer than this are refused: the whole session cookie must stay under browsers' 4 KB.
REGISTER_MAX_CHARS = 2800
# The equality form's answers (participation/equality_pages.py), sealed likewise; gone with the visit.
EQUALITY = "eq"
# Endpoints a locked tablet may reach; everything else sends it back to the welcome screen.
OPEN_IN_DOOR_MODE = {"static", "auth.health"}
# Door pages are the busiest in the service; what they show of the meeting is kept this long per process
# (it saves a database round trip, about 40% of a welcome page on SQLite), so an organiser's edit reaches
# every tablet's screen within this many seconds. Nothing is ever refused on this copy: a door view that
# would turn someone away (the checklist not open yet) asks meeting(fresh=True) first.
MEETING_CACHE_SECONDS = 15


# The welcome screen shows this many agenda items at most, and says how many more there are: the page
# stays within its budget (tests/door_helpers.PAGE_BUDGET) whatever the organiser planned.
DOOR_AGENDA_LIMIT = 8
DOOR_ITEM_CHARS = 200
DOOR_PURPOSE_CHARS = 400


def _short(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a space, with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip() + "\u2026"


@dataclass(frozen=True)
class AgendaLine:
    """One agenda item as the door shows it: its easy read wording (or its wording), and who asked for it."""

    text: str
    asked_by: AgendaSource


@dataclass(frozen=True)
class MeetingInfo:
    id: int
    group_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    venue_name: str
    checklist_open: bool
    purpose: str = ""  # in easy read where the organiser wrote one: the door is for everyone
    agenda: tuple[AgendaLine, ...] = ()  # the first DOOR_AGENDA_LIMIT items, in order
    agenda_more: int = 0  # how many items are not in `agenda`


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


def offline_key(mid: int) -> str:
    """An opaque name for a meeting, for the offline tablet to tell its kept pack and queue belong to the meeting
    its door mode is for now (door-offline.js). Not its id: nothing kept on the tablet is an id."""
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, f"door-offline-meeting:{mid}".encode(), hashlib.sha256).hexdigest()[:16]


def meeting(fresh: bool = False) -> MeetingInfo | None:
    """What door pages need to know about the tablet's meeting; `fresh` reads the database, not the copy
    another worker or server may have changed since (and renews the copy)."""
    mid = meeting_id()
    if mid is None:
        return None
    now = time.monotonic()
    with _cache_lock:
        hit = _cache().get(mid)
    if hit and not fresh and now - hit[0] < MEETING_CACHE_SECONDS:
        return hit[1]
    row = db.session.get(Meeting, mid)
    if row is None:
        return None
    # The agenda in one small query, kept with the meeting: organiser pages that change it call forget_meeting.
    lines = [AgendaLine(_short(easy or what, DOOR_ITEM_CHARS), asked_by) for easy, what, asked_by in db.session.execute(
        select(AgendaItem.easy_read, AgendaItem.what, AgendaItem.asked_by).where(AgendaItem.meeting_id == mid)
        .order_by(AgendaItem.position, AgendaItem.id))]
    info = MeetingInfo(row.id, row.group_id, row.title, row.starts_at, row.ends_at, row.venue_name,
                       row.checklist_open, purpose=_short(row.purpose_easy or row.purpose, DOOR_PURPOSE_CHARS),
                       agenda=tuple(lines[:DOOR_AGENDA_LIMIT]), agenda_more=max(0, len(lines) - DOOR_AGENDA_LIMIT))
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


def set_person(person_id: int | None, *, registered: bool = False) -> None:
    """Who is at the tablet now ("p"; "r": they registered in this visit). Always a new visit with a new
    key, so every form shown before, in this tab or another, is refused instead of saved for this person,
    and no registration or equality answers carried over."""
    session[VISIT] = {k: v for k, v in visit().items() if k not in (REGISTER, EQUALITY)}
    update_visit(p=person_id, r=registered, v=secrets.token_urlsafe(16))


def register_answers() -> dict:
    """What this visit has answered so far on the registration pages (empty if nothing, or not ours)."""
    answers = unseal_compact(visit().get(REGISTER)) if visit().get(REGISTER) else None
    return answers if isinstance(answers, dict) else {}


def set_register_answers(answers: dict) -> bool:
    """Keep the registration answers in this visit, sealed; False (nothing kept) if they are too long for
    the session cookie."""
    sealed = seal_compact(answers)
    if len(sealed) > REGISTER_MAX_CHARS:
        return False
    update_visit(**{REGISTER: sealed})
    return True



def registered_here() -> bool:
    """They registered in this visit, so the door may ask them how they want to be thanked."""
    return bool(visit().get("r"))


def visit_key() -> str:
    """A random key for this visit (one person's turn at the tablet, until they finish, start again or walk
    away), made on first use. Votes are counted once per suggestion per visit (SuggestionVote.visit), and
    every door form's token carries it (form_token())."""
    key = visit().get("v")
    if not key:
        key = secrets.token_urlsafe(16)
        update_visit(v=key)
    return key


def form_token() -> str:
    """A one-time form token bound to this visit."""
    return new_form_token(visit_key())


def form_from_other_visit() -> bool:
    """True for a door POST whose form was shown in another visit (another tab, or before someone else
    signed in or started again) and not already sent: it must save nothing. A repeat of a form that was
    sent (a double tap that crossed a sign-in) goes on to the view, which recognises it as done."""
    if request.method != "POST" or DOOR not in session:
        return False
    token = request.form.get("form_token")
    if not from_other_visit(token, visit().get("v")):
        return False
    return db.session.get(FormToken, token) is None


def end_visit() -> None:
    """The next person starts from nothing: no name, no language, no display settings."""
    session.pop(VISIT, None)
    session.pop("lang", None)


def door_only(view):
    """A participant page of the meeting this tablet is locked to. Any other
    browser is told this page is for the meeting tablet."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if meeting_id() is None:
            abort(403)
        return view(*args, **kwargs)

    wrapped.allowed_roles = "door"
    return wrapped


def on_its_day(meeting, days_after: int = 0) -> bool:
    """Door mode runs on the meeting's day only (UK date; from its start day to its end day, and
    `days_after` more), so nobody is marked attended, and later paid, for a meeting weeks away or long over."""
    today = london_today()
    return (meeting.starts_at.astimezone(LONDON).date() <= today
            <= meeting.ends_at.astimezone(LONDON).date() + timedelta(days=days_after))


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
        # door_on: this browser is in door mode (a door address's refusal page, shown to any other browser,
        # must not start the offline tablet's script there).
        mid = meeting_id()
        return {"big_text": v.get("big", False), "high_contrast": v.get("hc", False), "door_on": DOOR in session,
                "door_offline_key": offline_key(mid) if mid is not None else ""}
