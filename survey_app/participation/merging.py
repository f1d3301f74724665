"""Likely duplicates, and merging two records of one person into the one an organiser keeps.

Every table that points at person.id is handled here (MOVED_BY_MERGE; tests/test_merge_people.py fails
when a new one is not). Rows that may exist once per person keep one, chosen as finance and organisers
would expect:
- attendance (one per meeting): the furthest status (attended beats registered beats invited) and the
  earliest sign-in time of the two;
- personal link (one per meeting): the kept person's, unless it was withdrawn and the other still works;
- vote (one per suggestion): the earlier one (one person, one vote);
- voice (one of each kind): either, they are the same;
- "stop messages of this kind" (one per kind): a stop asked on either record stands. Messages all move.

Locked finance lines (in a numbered return) are never rewritten: a return gives the same file every
time, so its lines keep the person they were paid to. A merge is therefore refused while the record
being merged away has locked lines; keep that record instead. If both have locked lines, they are not
merged (finance keeps both payees).

Suggestions hold no person (only a typed name), so nothing of theirs moves.
"""
import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from ..models import (
    AccessNeed,
    Attendance,
    AttendanceStatus,
    Invitation,
    Message,
    MessageOptOut,
    OfflineSubmission,
    Person,
    PersonBenefit,
    PersonVoice,
    RecognitionLine,
    SuggestionVote,
)
from ..privacy import audit
from ..web.extensions import db

# Every (table, column) that references person.id, and so must move on a merge.
MOVED_BY_MERGE = {("attendance", "person_id"), ("access_need", "person_id"), ("invitation", "person_id"),
                  ("person_voice", "person_id"), ("recognition_line", "person_id"),
                  ("suggestion_vote", "person_id"), ("message", "person_id"), ("message_opt_out", "person_id"),
                  ("person_benefit", "person_id"), ("offline_submission", "person_id")}

# Filled on the kept person from the other when empty there.
FILLED_FIELDS = ("preferred_name", "email", "phone", "address", "organisation_id", "consent_at",
                 "recognition_preference", "payee_ref", "benefits_talked_on", "benefits_talked_by",
                 "benefits_consent_at", "benefits_agreement", "benefits_agreement_note", "uc_assessment_day",
                 "permitted_work_form_on")

STATUS_ORDER = {AttendanceStatus.INVITED: 0, AttendanceStatus.REGISTERED: 1, AttendanceStatus.ATTENDED: 2}

FIELD_LABELS = {
    "preferred_name": _l("Preferred name"), "email": _l("Email address"), "phone": _l("Phone number"),
    "address": _l("Postal address"), "organisation_id": _l("Organisation"), "consent_at": _l("Consent"),
    "recognition_preference": _l("How they would like to be thanked"), "payee_ref": _l("Payee reference"),
    "benefits_talked_on": _l("Benefits conversation"), "benefits_talked_by": _l("Who talked about benefits"),
    "benefits_consent_at": _l("Consent to record their benefits"), "benefits_agreement": _l("What they agreed"),
    "benefits_agreement_note": _l("Note about what they agreed"),
    "uc_assessment_day": _l("Universal Credit assessment day"),
    "permitted_work_form_on": _l("Permitted work form sent"),
}

SAME_PERSON = _l("Choose two different people.")
ERASED = _l("One of them has had their details erased, so they cannot be merged.")
LOCKED = _l("The record you are merging away has lines in a finance return, which never change. "
            "Keep that record instead.")
BOTH_LOCKED = _l("Both have lines in a finance return, which never change, so they cannot be merged. "
                 "Ask finance.")
GONE = _l("These two people have already been merged, or one of them is no longer here.")


class MergeError(ValueError):
    """A merge was refused; str(error) is a sentence for the organiser."""


def normal_phone(phone: str) -> str:
    """Digits only, with a UK +44 or 0044 written as 0: "+44 7700 900123" and "07700-900123" are the same."""
    digits = re.sub(r"\D", "", phone)
    if digits.startswith("0044"):
        digits = "0" + digits[4:]
    elif digits.startswith("44") and phone.lstrip().startswith("+"):
        digits = "0" + digits[2:]
    return digits if len(digits) >= 6 else ""


def _alike_phones():
    """(phone, id) of the people (not erased) who share a phone number with someone else, oldest first.
    The number is made plain here, not in SQL: a chain of replace() on every row costs more than reading it."""
    rows = db.session.execute(select(Person.phone, Person.id).where(Person.erased_at.is_(None), Person.phone != "")
                              .order_by(Person.id)).all()
    keyed = [(normal_phone(phone), person_id) for phone, person_id in rows]
    counts: dict[str, int] = {}
    for key, _id in keyed:
        counts[key] = counts.get(key, 0) + 1
    return [(key, person_id) for key, person_id in keyed if key and counts[key] > 1]


def _alike(key):
    """(key, id) of the people (not erased) who share that key with someone else, oldest first."""
    living = Person.erased_at.is_(None)
    shared = select(key).where(living, func.length(key) >= 4).group_by(key).having(func.count() > 1)
    return db.session.execute(select(key, Person.id).where(living, key.in_(shared)).order_by(Person.id)).all()


@dataclass
class LikelyPair:
    first_id: int
    second_id: int
    reasons: list = field(default_factory=list)
    first: Person | None = None  # loaded by with_people, for the page shown
    second: Person | None = None


def likely_duplicates() -> list[LikelyPair]:
    """Pairs of people (not erased) with the same name, or the same email, or the same phone, in name order.
    In a set of three or more alike, each is paired with the oldest record, so merging works through them.
    The database finds the shared names, emails and phones; with_people loads the people of the page shown."""
    keyed = ((_l("Same name"), _alike(Person.search_name)),
             (_l("Same email address"), _alike(func.lower(func.trim(Person.email)))),
             (_l("Same phone number"), _alike_phones()))
    pairs: dict[tuple[int, int], LikelyPair] = {}
    for label, alike in keyed:
        groups: dict[str, list[int]] = {}
        for value, person_id in alike:
            groups.setdefault(value, []).append(person_id)
        for ids in groups.values():
            for other in ids[1:]:
                pairs.setdefault((ids[0], other), LikelyPair(ids[0], other)).reasons.append(label)
    first_ids = list({pair.first_id for pair in pairs.values()})
    names = {row.id: (row.last_name.casefold(), row.first_name.casefold()) for chunk in
             (first_ids[i:i + 500] for i in range(0, len(first_ids), 500))
             for row in db.session.execute(select(Person.id, Person.first_name, Person.last_name)
                                           .where(Person.id.in_(chunk)))}
    return sorted(pairs.values(), key=lambda p: (names[p.first_id], p.first_id, p.second_id))


def with_people(pairs: list[LikelyPair]) -> list[LikelyPair]:
    """The pairs with their two people loaded, in one query."""
    wanted = {i for pair in pairs for i in (pair.first_id, pair.second_id)}
    by_id = {p.id: p for p in db.session.scalars(select(Person).where(Person.id.in_(wanted)))} if wanted else {}
    for pair in pairs:
        pair.first, pair.second = by_id[pair.first_id], by_id[pair.second_id]
    return pairs


def _count(model, person_id: int, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model)
                             .where(model.person_id == person_id, *where)) or 0


def locked_lines(person_id: int) -> int:
    return _count(RecognitionLine, person_id, RecognitionLine.return_id.is_not(None))


@dataclass
class MergePlan:
    """What merging `other` into `keep` moves, worked out before anything changes (the confirm page shows it)."""

    keep: Person
    other: Person
    counts: dict[str, int]
    filled: dict[str, Any]
    refusal: str = ""

    @property
    def filled_labels(self) -> list[str]:
        return [str(FIELD_LABELS[name]) for name in self.filled]


def plan(keep: Person, other: Person) -> MergePlan:
    counts = {
        "attendances": _count(Attendance, other.id), "needs": _count(AccessNeed, other.id),
        "links": _count(Invitation, other.id), "votes": _count(SuggestionVote, other.id),
        "voices": _count(PersonVoice, other.id), "lines": _count(RecognitionLine, other.id),
    }
    filled = {name: getattr(other, name) for name in FILLED_FIELDS
              if not getattr(keep, name) and getattr(other, name)}
    refusal = ""
    if keep.id == other.id:
        refusal = str(SAME_PERSON)
    elif keep.erased or other.erased:
        refusal = str(ERASED)
    elif locked_lines(other.id):
        refusal = str(BOTH_LOCKED if locked_lines(keep.id) else LOCKED)
    return MergePlan(keep=keep, other=other, counts=counts, filled=filled, refusal=refusal)


def merge(keep_id: int, other_id: int, by=None) -> dict[str, int]:
    """Move everything of `other_id` to `keep_id`, fill the kept person's empty details, delete the other
    person and write one "merge" audit event. In the caller's transaction; the caller commits.
    Raises MergeError (GONE when either is missing, as after a second press or from a stale page)."""
    if keep_id == other_id:
        raise MergeError(str(SAME_PERSON))
    _claim_both(keep_id, other_id)
    keep, other = db.session.get(Person, keep_id), db.session.get(Person, other_id)
    db.session.refresh(keep)
    db.session.refresh(other)
    work = plan(keep, other)
    if work.refusal:
        raise MergeError(work.refusal)
    before = audit.snapshot(keep)
    counts = dict(work.counts)
    counts.update(attendances_combined=_combine_attendances(keep_id, other_id),
                  links_dropped=_combine_links(keep_id, other_id),
                  votes_dropped=_combine_votes(keep_id, other_id))
    _combine_voices(keep_id, other_id)
    # The same person told us about their benefits on either record: the kept record's row for a benefit
    # stays; their consent comes with the rest (FILLED_FIELDS).
    _combine_one_per(PersonBenefit, "benefit", keep_id, other_id, lambda mine, theirs: False)
    _move_messages(keep_id, other_id)
    # The door tablet's offline registrations and sign-ins of the other record were this person's.
    db.session.execute(update(OfflineSubmission).where(OfflineSubmission.person_id == other_id)
                       .values(person_id=keep_id).execution_options(synchronize_session=False))
    _move_needs_and_open_lines(keep_id, other_id)
    _fill_in(keep, other, work.filled)
    db.session.execute(delete(Person).where(Person.id == other_id))
    db.session.expunge(other)
    after = audit.snapshot(keep)
    changed = sorted(k for k in after if after[k] != before.get(k))
    audit.record("merge", keep, after={"kept_id": keep_id, "merged_id": other_id, **counts,
                                       "filled": changed}, user=by)
    return counts


def _claim_both(keep_id: int, other_id: int) -> None:
    """Claim both rows first: a second merge of the same people (another tab, a double press) waits here
    for this one to commit, then finds the other person gone. One row at a time, lower id first, so two
    merges of the same pair in opposite directions cannot deadlock."""
    claimed = sum(db.session.execute(update(Person).where(Person.id == person_id)
                                     .values(search_name=Person.search_name)
                                     .execution_options(synchronize_session=False)).rowcount
                  for person_id in sorted((keep_id, other_id)))
    if claimed != 2:
        raise MergeError(str(GONE))


def _combine_attendances(keep_id: int, other_id: int) -> int:
    """One attendance per meeting: the furthest status and the earliest sign-in win. How many were combined."""
    kept_rows = {a.meeting_id: a for a in db.session.scalars(select(Attendance).where(Attendance.person_id == keep_id))}
    combined = 0
    for row in db.session.scalars(select(Attendance).where(Attendance.person_id == other_id)).all():
        mine = kept_rows.get(row.meeting_id)
        if mine is None:
            row.person_id = keep_id
            continue
        if STATUS_ORDER[row.status] > STATUS_ORDER[mine.status]:
            mine.status, mine.took_part = row.status, row.took_part
        elif row.status is mine.status and mine.took_part is None:
            mine.took_part = row.took_part
        times = [t for t in (mine.signed_in_at, row.signed_in_at) if t is not None]
        mine.signed_in_at = min(times) if times else None
        db.session.delete(row)
        combined += 1
    db.session.flush()
    return combined


def _combine_links(keep_id: int, other_id: int) -> int:
    """One personal link per meeting: a working one, the kept person's first. How many were dropped."""
    return _combine_one_per(Invitation, "meeting_id", keep_id, other_id,
                            lambda mine, theirs: mine.withdrawn_at is not None and theirs.withdrawn_at is None)


def _combine_votes(keep_id: int, other_id: int) -> int:
    """One vote per suggestion: the earlier one stays. How many were dropped."""
    return _combine_one_per(SuggestionVote, "suggestion_id", keep_id, other_id,
                            lambda mine, theirs: theirs.created_at < mine.created_at)


def _combine_one_per(model, key: str, keep_id: int, other_id: int, theirs_wins) -> int:
    """Rows of which a person has at most one per `key`: the other person's rows move to the kept person,
    except where the kept person has one for the same key; then only the one `theirs_wins(mine, theirs)`
    picks stays. How many rows were dropped."""
    kept = {getattr(row, key): row for row in db.session.scalars(select(model).where(model.person_id == keep_id))}
    dropped = 0
    for theirs in db.session.scalars(select(model).where(model.person_id == other_id)).all():
        mine = kept.get(getattr(theirs, key))
        if mine is None:
            theirs.person_id = keep_id
            continue
        if theirs_wins(mine, theirs):
            db.session.delete(mine)
            db.session.flush()
            theirs.person_id = keep_id
        else:
            db.session.delete(theirs)
        dropped += 1
    db.session.flush()
    return dropped


def _combine_voices(keep_id: int, other_id: int) -> None:
    """One voice of each kind."""
    kept_voices = set(db.session.scalars(select(PersonVoice.voice).where(PersonVoice.person_id == keep_id)))
    for voice in db.session.scalars(select(PersonVoice).where(PersonVoice.person_id == other_id)).all():
        if voice.voice in kept_voices:
            db.session.delete(voice)
        else:
            voice.person_id = keep_id
    db.session.flush()


def _move_messages(keep_id: int, other_id: int) -> None:
    """Their messages move; a stop asked on either record stands, once per kind."""
    db.session.execute(update(Message).where(Message.person_id == other_id).values(person_id=keep_id)
                       .execution_options(synchronize_session=False))
    kept_stops = set(db.session.scalars(select(MessageOptOut.kind).where(MessageOptOut.person_id == keep_id)))
    for stop in db.session.scalars(select(MessageOptOut).where(MessageOptOut.person_id == other_id)).all():
        if stop.kind in kept_stops:
            db.session.delete(stop)
        else:
            stop.person_id = keep_id
    db.session.flush()


def _move_needs_and_open_lines(keep_id: int, other_id: int) -> None:
    """Needs (with their arrangements, which point at the need) and recognition lines in no return all move."""
    db.session.execute(update(AccessNeed).where(AccessNeed.person_id == other_id).values(person_id=keep_id)
                       .execution_options(synchronize_session=False))
    db.session.execute(update(RecognitionLine).where(RecognitionLine.person_id == other_id,
                                                     RecognitionLine.return_id.is_(None))
                       .values(person_id=keep_id).execution_options(synchronize_session=False))


def _fill_in(keep: Person, other: Person, filled: dict) -> None:
    """The kept person's empty details filled from the other; a benefits hold or Champion mark on either stays."""
    for name, value in filled.items():
        setattr(keep, name, value)
    keep.benefits_check = keep.benefits_check or other.benefits_check
    keep.is_champion = keep.is_champion or other.is_champion
    keep.refresh_search_name()
    db.session.flush()
