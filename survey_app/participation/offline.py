"""The door tablet without a network (issue 19), the server's side: the pack the tablet keeps for working
offline, and applying what it queued, once each, when it is back online.

The pack holds only what the door shows anyway: first name and last initial of the people the door may
find for this meeting, each with an opaque stand-in (sealed: no id, no surname, nothing about needs), the
ideas its vote page offers, and a batch of one-time form tokens. Each queued submission carries one of
those tokens; applying it claims the token (FormToken) and writes an OfflineSubmission row in the same
transaction as its effect, so a retry or a second tab finds the row and gets the first answer again.

A submission is checked with the same forms the online pages use (built from the queued answers, without
CSRF: the sync request itself is CSRF-checked), and has the same effect through the same taking_part calls.
One that cannot be saved is refused with a reason code and kept (outcome "refused"), so the organiser's
meeting page lists it (refused_for_meeting) and nothing is lost silently.
"""
import re
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from forms.checklist import FIELDS as CHECKLIST_FIELDS
from forms.checklist import stored_answers
from forms.door import ChecklistForm, ConsentStep, SuggestForm, ThanksChoiceForm
from forms.tokens import TOKEN_TOO_OLD, form_token_problem, new_form_token

from ..insight import equality, suggestions
from ..models import ChecklistChannel, ContactMethod, InformationFormat, OfflineSubmission, Person, PersonRole
from ..models.base import LONDON
from ..models.offline import KIND_LABELS, REFUSED, SAVED
from ..privacy import audit
from ..web.extensions import db
from . import kiosk, taking_part
from .checklist_pages import checklist_open
from .kiosk import on_its_day
from .register_steps import DETAIL_FOR, FIELDS, FORMS
from .seal import seal, unseal
from .shared_pages import NEED_KINDS, NeedsForm

# Offline tokens are fetched while the network is up (when door mode starts, and again whenever it is
# there) and may be sent back only after the wifi returns: as late as the day after the meeting's last day
# (the sync's window, see SYNC_DAYS_AFTER). So they are good for two days, not the online forms' 24 hours
# (FORM_TOKEN_MAX_AGE): a token fetched at the start of the meeting's day still works at the end of the next
# one. Retention deletes used tokens' rows after FORM_TOKEN_DAYS (2); a resent offline item is recognised by
# its OfflineSubmission row first, which is kept OFFLINE_SUBMISSION_DAYS, so it cannot be saved twice
# even where a clock change makes two London days shorter than 48 hours.
OFFLINE_TOKEN_MAX_AGE = 2 * 24 * 3600
# As the checklist online: what was taken at the door is still accepted the day after the meeting's day.
SYNC_DAYS_AFTER = 1
MAX_ITEMS = 50  # per sync request, so one request stays short on a busy server
DEFAULT_TOKENS = 300  # DOOR_OFFLINE_TOKENS (web/config.py); at most 5000 in one pack
VISIT_RE = re.compile(r"^[A-Za-z0-9_-]{8,32}$")  # the tablet's random key for one person's turn

REGISTER, SIGN_IN, THANKS, SUPPORT, SUGGEST, VOTE, CHECKLIST, EQUALITY = (
    "register", "sign_in", "thanks_choice", "support", "suggest", "vote", "checklist", "equality")
# Only these name their person in OfflineSubmission (person_id, short_label): a later item of the queue
# ("the person that registration created") is found through them.
NAMED_KINDS = (REGISTER, SIGN_IN)
# The checklist and the equality form are anonymous: once saved they leave no OfflineSubmission row at all, so
# nothing (not its place in the queue next to a registration, nor when it arrived) can tie them to a person.
# A resend is still recognised: its token was claimed (FormToken: a random string and a day), and a claimed
# pack token with no row can only be such an item (see _earlier).
ANONYMOUS_KINDS = (CHECKLIST, EQUALITY)

# What the tablet is told, item by item (the staff line shows it).
MESSAGES = {
    "saved": _l("Saved."),
    "not-ours": _l("This was not made on this tablet, so it was not saved."),
    "too-old": TOKEN_TOO_OLD,
    "meeting-over": _l("The meeting's day is over, so this was not saved. Please add it by hand."),
    "person-gone": _l("This person's details are no longer kept, so this was not saved."),
    "not-registered": _l("The registration this belongs to was not saved, so this was not saved either."),
    "not-valid": _l("Something in this was not filled in, so it was not saved. Please add it by hand."),
    "vote-closed": suggestions.NOT_VOTABLE,
    "checklist-closed": _l("The checklist was not open yet, so these answers were not saved."),
}
# What the organiser's meeting page says about a refused item, and what to do.
FOR_ORGANISERS = {
    "too-old": _l("It waited on the tablet too long. Add it by hand from the paper list."),
    "meeting-over": _l("It arrived after the meeting's day. Add it by hand from the paper list."),
    "person-gone": _l("The person's details had been removed. Nothing to add."),
    "not-registered": _l("Their registration was not saved. Add them by hand from the paper list."),
    "not-valid": _l("Something was missing or not right. Add it by hand from the paper list."),
    "vote-closed": _l("The idea was no longer open to votes. Nothing to add."),
    "checklist-closed": _l("The checklist was not open yet. Nothing to add."),
}


@dataclass(frozen=True)
class Result:
    token: str
    outcome: str
    reason: str = ""
    message: str = ""

    def as_json(self) -> dict:
        return {"token": self.token, "outcome": self.outcome, "reason": self.reason,
                "message": self.message or str(MESSAGES.get(self.reason or self.outcome, ""))}


class Refused(Exception):
    """An item that cannot be saved: `reason` a code of MESSAGES, `message` the sentence when more exact
    (a form's first error), `label` for the organiser's list (a registration's name)."""

    def __init__(self, reason: str, message: str | LazyString | None = None, label: str = ""):
        super().__init__(reason)
        self.reason, self.message, self.label = reason, str(message) if message else "", label


# --- The pack -----------------------------------------------------------------------------------------------

def stand_in(person_id: int, meeting_id: int) -> str:
    """A person's opaque stand-in in the pack: sealed (no id can be read from it), tied to the meeting.
    Not time-limited: it is good while the sync takes the meeting's items (SYNC_DAYS_AFTER)."""
    return seal({"p": person_id, "m": meeting_id, "o": 1})


def idea_ref(suggestion_id: int, meeting_id: int) -> str:
    return seal({"s": suggestion_id, "m": meeting_id, "o": 1})


def _unsealed(ref, meeting_id: int, key: str) -> int | None:
    data = unseal(ref) if isinstance(ref, str) else None
    if not isinstance(data, dict) or data.get("m") != meeting_id or data.get("o") != 1:
        return None
    return data.get(key) if isinstance(data.get(key), int) else None


def last_day(meeting) -> str:
    """The last London date a sync takes this meeting's items (ISO)."""
    return (meeting.ends_at.astimezone(LONDON).date() + timedelta(days=SYNC_DAYS_AFTER)).isoformat()


def pack(meeting) -> dict:
    """What the tablet keeps for working offline (the caller adds the CSRF token). `meeting`: the Meeting."""
    count = max(0, min(int(current_app.config.get("DOOR_OFFLINE_TOKENS", DEFAULT_TOKENS)), 5000))
    rows = db.session.execute(
        select(Person.id, Person.first_name, Person.preferred_name, Person.last_name)
        .where(Person.id.in_(taking_part.connected_to_group(meeting.group_id)), Person.erased_at.is_(None),
               Person.search_name != "")).all()
    people = sorted(({"ref": stand_in(row.id, meeting.id), "name": taking_part.short_name(row)} for row in rows),
                    key=lambda p: (p["name"].casefold(), p["name"]))
    ideas = [{"ref": idea_ref(row.suggestion.id, meeting.id), "what": row.suggestion.what}
             for row in suggestions.votable_list(meeting.group_id)]
    return {"meeting": {"title": meeting.title, "starts_at": meeting.starts_at.isoformat(),
                        "ends_at": meeting.ends_at.isoformat(), "venue_name": meeting.venue_name,
                        "checklist_open": checklist_open(meeting), "send_by": last_day(meeting),
                        "key": kiosk.offline_key(meeting.id)},
            "tokens": [new_form_token(None) for _ in range(count)],
            "people": people, "suggestions": ideas}


# --- Applying one queued item -------------------------------------------------------------------------------

def _formdata(data: dict) -> MultiDict:
    """The queued answers as a form post would send them: a ticked box is "y", an unticked one absent."""
    pairs = []
    for key, value in data.items():
        values = value if isinstance(value, list) else [value]
        for one in values:
            if one is True:
                pairs.append((key, "y"))
            elif isinstance(one, str | int | float) and one is not False:
                pairs.append((key, str(one)))
    return MultiDict(pairs)


def _checked(form_class, data: dict, label: str = "", **kwargs):
    """The form the online page uses, filled from the queued answers and validated; Refused("not-valid")
    with its first error otherwise. The form's one-time token is not its business here (the item's token
    is checked and claimed by apply())."""
    form = form_class(formdata=_formdata(data), meta={"csrf": False}, **kwargs)
    form.validate()
    errors = [message for name, messages in form.errors.items() if name != "form_token" for message in messages]
    if errors:
        raise Refused("not-valid", errors[0], label=label)
    return form


def _data(item: dict) -> dict:
    data = item.get("data")
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise Refused("not-valid")
    return data


def _person(meeting, item: dict, registered_only: bool = False) -> Person:
    """The person an item is for: by the pack's stand-in, or the person an earlier register item of this
    meeting created ({"registered": its token})."""
    who = item.get("person")
    if not isinstance(who, dict):
        raise Refused("not-valid")
    if "registered" in who and isinstance(who["registered"], str):
        earlier = db.session.get(OfflineSubmission, who["registered"][:64])
        if earlier is None or earlier.kind != REGISTER or earlier.meeting_id != meeting.id:
            raise Refused("not-registered")
        if earlier.outcome != SAVED:  # the name typed for it, so the organiser can add them both by hand
            raise Refused("not-registered", label=earlier.short_label)
        person_id = earlier.person_id
    elif "ref" in who and not registered_only:
        person_id = _unsealed(who["ref"], meeting.id, "p")
        if person_id is None:
            raise Refused("not-valid")
    else:
        raise Refused("not-valid")
    person = db.session.get(Person, person_id) if person_id is not None else None
    if person is None or person.erased:
        raise Refused("person-gone")
    return person


def _typed_name(data: dict) -> str:
    """"Anna K." from a registration's answers, for the organiser's list when it could not be saved."""
    first = data.get("first_name") if isinstance(data.get("first_name"), str) else ""
    last = data.get("last_name") if isinstance(data.get("last_name"), str) else ""
    return (f"{first.strip()} {last.strip()[:1]}." if last.strip() else first.strip())[:60]


def _register(meeting, item):
    data = _data(item)
    label = _typed_name(data)
    answers = {}
    for page in ("name", "role", "contact"):
        form = _checked(FORMS[page], data, label)
        answers.update({name: form[name].data for name in FIELDS[page]})
    detail = DETAIL_FOR.get(answers["contact_method"])
    if detail:
        form = _checked(FORMS[detail], data, label)
        answers.update({name: form[name].data for name in FIELDS[detail]})
    answers.update(information_format=_checked(FORMS["format"], data, label).information_format.data)
    _checked(ConsentStep, data, label)
    lang = data.get("lang") if data.get("lang") in current_app.config["LANGUAGES"] else "en"
    person = taking_part.register(
        first_name=answers["first_name"], last_name=answers["last_name"], role=PersonRole(answers["role"]),
        contact_method=ContactMethod(answers["contact_method"]),
        information_format=InformationFormat(answers["information_format"]),
        email=answers.get("email") or "", phone=answers.get("phone") or "", address=answers.get("address") or "",
        language=lang)
    taking_part.sign_in(meeting.id, person.id)
    audit.record("door-register", person, after={"meeting_id": meeting.id, "offline": True})
    return person.id, taking_part.short_name(person)[:60]


def _sign_in(meeting, item):
    person = _person(meeting, item)
    taking_part.sign_in_with_audit(meeting.id, person.id)
    return person.id, taking_part.short_name(person)[:60]


def _thanks_choice(meeting, item):
    """Asked only of someone who registered in that visit, as online: so only {"registered": token}."""
    person = _person(meeting, item, registered_only=True)
    form = _checked(ThanksChoiceForm, _data(item))
    person.recognition_preference = form.preference.data
    person.benefits_check = bool(form.benefits_check.data)
    return None, ""


def _support(meeting, item):
    person = _person(meeting, item)
    form = _checked(NeedsForm, _data(item))
    remember = form.remember.data == "yes"
    added = taking_part.add_needs(person.id, meeting.id, form.chosen(NEED_KINDS), remember)
    if added:
        audit.record("door-needs", person, after={
            "meeting_id": meeting.id, "added": [kind.value for kind in added], "remember": remember})
    return None, ""


def _suggest(meeting, item):
    form = _checked(SuggestForm, _data(item))
    taking_part.suggest(meeting.group_id, meeting.id, form.what.data, form.why.data or "", form.name.data or "",
                        "door")
    return None, ""


def _vote(meeting, item):
    data = _data(item)
    suggestion_id = _unsealed(data.get("suggestion"), meeting.id, "s")
    visit = data.get("visit")
    if suggestion_id is None or not isinstance(visit, str) or not VISIT_RE.match(visit):
        raise Refused("not-valid")
    person_id = _person(meeting, item).id if item.get("person") is not None else None
    try:
        suggestions.vote(suggestion_id, person_id, group_id=meeting.group_id, visit=visit)
    except suggestions.SuggestionError as error:
        raise Refused("vote-closed", str(error)) from None
    return None, ""


def _checklist(meeting, item):
    """Anonymous: nothing of a person or a visit is kept with it, as online."""
    form = _checked(ChecklistForm, _data(item))
    if not checklist_open(meeting):
        raise Refused("checklist-closed")
    taking_part.save_checklist(meeting.id, stored_answers({name: form[name].data for name in CHECKLIST_FIELDS}),
                               ChecklistChannel.DOOR)
    return None, ""


def _equality(meeting, item):
    """Anonymous: one form added to the group's counts for the month (insight/equality.add_form)."""
    answers = {k: v for k, v in _data(item).items() if isinstance(k, str) and isinstance(v, str)}
    equality.add_form(meeting.group_id, answers)
    return None, ""


APPLY = {REGISTER: _register, SIGN_IN: _sign_in, THANKS: _thanks_choice, SUPPORT: _support, SUGGEST: _suggest,
         VOTE: _vote, CHECKLIST: _checklist, EQUALITY: _equality}


def _earlier(token: str, meeting_id: int) -> Result:
    """The first answer to a token seen before; "not-ours" if it was used by another meeting's queue. A claimed
    token with no row is an anonymous item saved before (ANONYMOUS_KINDS): pack tokens are used by nothing
    else."""
    earlier = db.session.get(OfflineSubmission, token)
    if earlier is None:
        return Result(token, SAVED)
    if earlier.meeting_id != meeting_id:
        return Result(token, REFUSED, "not-ours")
    return Result(token, earlier.outcome, earlier.reason)


def _position(item: dict) -> int:
    position = item.get("position")
    return position if isinstance(position, int) and not isinstance(position, bool) and \
        0 <= position < 2 ** 31 else 0


def apply(meeting, item) -> Result:
    """Apply one queued item, in its own transaction (committed here), exactly once. `meeting`: the tablet's
    meeting (kiosk.MeetingInfo: plain values that survive a rollback)."""
    token = item.get("token") if isinstance(item, dict) else None
    if not isinstance(token, str) or form_token_problem(token, max_age=10 ** 9) is not None:
        return Result(token if isinstance(token, str) else "", REFUSED, "not-ours")  # nothing recorded
    seen = db.session.get(OfflineSubmission, token)
    if seen is not None:
        db.session.rollback()
        return _earlier(token, meeting.id)
    kind = item.get("kind") if isinstance(item.get("kind"), str) else ""
    refused = None
    if form_token_problem(token, max_age=OFFLINE_TOKEN_MAX_AGE) is not None:
        refused = Refused("too-old")
    elif not on_its_day(meeting, days_after=SYNC_DAYS_AFTER):
        refused = Refused("meeting-over")
    elif kind not in APPLY:
        refused = Refused("not-valid")
    if not taking_part.claim(token):  # used already: by a second tab a moment ago, or not by this queue
        return _earlier(token, meeting.id)
    person_id, label = None, ""
    if refused is None:
        try:
            person_id, label = APPLY[kind](meeting, item)
            db.session.flush()
        except Refused as error:
            refused = error
        except IntegrityError:  # the person (or the meeting) removed at this very moment
            refused = Refused("person-gone")
        if refused is not None:
            db.session.rollback()  # nothing of the item's effect, the token claimed again below
            if not taking_part.claim(token):
                return _earlier(token, meeting.id)
    if refused is not None:
        person_id, label = None, refused.label if kind in NAMED_KINDS else ""
    if refused is None and kind in ANONYMOUS_KINDS:
        db.session.commit()  # the answers and the claimed token only
        return Result(token, SAVED)
    db.session.add(OfflineSubmission(
        token=token, meeting_id=meeting.id, kind=kind[:20] or "unknown", position=_position(item),
        outcome=REFUSED if refused else SAVED, reason=refused.reason if refused else "",
        person_id=person_id if kind in NAMED_KINDS else None, short_label=label if kind in NAMED_KINDS else ""))
    try:
        db.session.commit()
    except IntegrityError:  # a second tab saved it first (PostgreSQL)
        db.session.rollback()
        return _earlier(token, meeting.id)
    if refused is not None:
        return Result(token, REFUSED, refused.reason, refused.message)
    return Result(token, SAVED)


# --- The organiser's meeting page ---------------------------------------------------------------------------

@dataclass(frozen=True)
class RefusedItem:
    kind: str    # translated
    label: str   # "Anna K." or ""
    why: str     # translated: what happened and what to do


def refused_for_meeting(meeting_id: int) -> list[RefusedItem]:
    """What the door tablet sent for this meeting but the service could not save, in queue order."""
    rows = db.session.scalars(select(OfflineSubmission).where(
        OfflineSubmission.meeting_id == meeting_id, OfflineSubmission.outcome == REFUSED)
        .order_by(OfflineSubmission.received_at, OfflineSubmission.position)).all()
    return [RefusedItem(str(KIND_LABELS.get(row.kind, _("Something else"))), row.short_label,
                        str(FOR_ORGANISERS.get(row.reason, FOR_ORGANISERS["not-valid"]))) for row in rows]
