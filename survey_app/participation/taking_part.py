"""What participants do: sign in, register, ask for support, suggest, answer the checklist.

Used by the door tablet and by personal links. Each write that a double tap could repeat starts by
claiming the form's one-time token; the caller commits, and a False return means "already done".
Two functions commit themselves, and say so: commit_once and sign_in_once.
The token's signature is checked by the form (forms/door.py OnceForm, `confirmed`) before it gets here:
claiming only stores it, so a token is checked once however it travels.
"""
from sqlalchemy import bindparam, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from forms import checklist
from forms.tokens import FORM_TOKEN_RE

from ..models import (
    AccessNeed,
    Attendance,
    AttendanceStatus,
    AuditEvent,
    ChecklistChannel,
    ChecklistResponse,
    FormToken,
    Meeting,
    NeedKind,
    Person,
    Suggestion,
    TakingPart,
)
from ..models.base import london_today, utcnow
from ..models.people import search_key
from ..web.extensions import db

TOKEN_RE = FORM_TOKEN_RE
_CLAIM = insert(FormToken.__table__)
MATCH_LIMIT = 8
MIN_SEARCH_LETTERS = 2
# The door shows no names at all when more people than this match: type more of the first name.
DOOR_MATCH_LIMIT = 6


def claim(token: str | None) -> bool:
    """Use up a one-time form token inside the current transaction. False if it was used already
    (or is malformed); the session is then rolled back and nothing of this submission is written."""
    if not token or not TOKEN_RE.match(token):
        return False
    try:
        # A Core insert built once, not the ORM: this runs on every door submission, so it is kept lean.
        db.session.execute(_CLAIM, {"token": token, "used_on": london_today()})
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def token_used(token: str | None) -> bool:
    """Whether this form token has been claimed already (a double tap or a refresh of a sent form)."""
    return bool(token) and db.session.get(FormToken, token) is not None


def commit_once() -> bool:
    """Commit; a unique constraint hit by a simultaneous identical submission counts as done."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def _like_escaped(text: str) -> str:
    """`text` for a LIKE pattern with escape character backslash: its own %, _ and backslash match literally."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def name_starts_with(key: str):
    """Where a person's whole name or last name starts with `key` (already a search_key), for a query."""
    pattern = _like_escaped(key)
    return (Person.search_name.like(f"{pattern}%", escape="\\")
            | Person.search_name.like(f"% {pattern}%", escape="\\"))


def people_matching(typed: str) -> list[Person]:
    """People whose first or last name starts with what was typed; nothing for fewer than two letters."""
    typed = search_key(typed)
    if len(typed) < MIN_SEARCH_LETTERS:
        return []
    return db.session.scalars(
        select(Person).where(name_starts_with(typed)).order_by(Person.first_name, Person.last_name).limit(MATCH_LIMIT)
    ).all()


def connected_to_group(group_id: int):
    """The ids of people connected to a group: invited to, signed in at or registered at any of its
    meetings (an attendance row of any status)."""
    return (select(Attendance.person_id).join(Meeting, Meeting.id == Attendance.meeting_id)
            .where(Meeting.group_id == group_id))


def door_search_terms(typed: str) -> tuple[str, str | None]:
    """What a door search compares: (the start of a first name, the first letter of a surname or None).

    One word is the start of a first (or preferred) name. With two or more words, the last word stands
    for the surname and only its first letter counts; the words before it are the start of the first
    name. So "Hannah Bre" and "Hannah Brennan" find exactly what "Hannah B" finds, and letters of a
    surname can never narrow a search beyond the initial the screen shows anyway."""
    words = search_key(typed).split()
    if len(words) < 2:
        return (words[0] if words else ""), None
    return " ".join(words[:-1]), words[-1][0]


def door_matches(typed: str, group_id: int) -> list[Person] | None:
    """People connected to the group (see connected_to_group) whose first or preferred name starts with
    the first part of what was typed and, if a surname initial was typed, whose surname starts with it
    (see door_search_terms). None when more than DOOR_MATCH_LIMIT people match: the door then shows no
    names and asks for more of the first name."""
    first, initial = door_search_terms(typed)
    if len(first.replace(" ", "")) < MIN_SEARCH_LETTERS:
        return []
    # The database narrows it to names starting with the typed first name (or with a preferred name, which
    # search_name does not hold); the exact comparison below decides.
    pattern = _like_escaped(first)
    people = db.session.scalars(
        select(Person).where(Person.id.in_(connected_to_group(group_id)), Person.erased_at.is_(None),
                             Person.search_name != "",
                             Person.search_name.like(f"{pattern}%", escape="\\") | (Person.preferred_name != ""))
        .order_by(Person.first_name, Person.last_name, Person.id)).all()
    found = [p for p in people
             if (search_key(p.first_name).startswith(first)
                 or (p.preferred_name and search_key(p.preferred_name).startswith(first)))
             and (initial is None or search_key(p.last_name)[:1] == initial)]
    return None if len(found) > DOOR_MATCH_LIMIT else found


def _digits(phone: str) -> str:
    return "".join(c for c in phone or "" if c.isdigit())


def likely_registered(group_id: int, first_name: str, last_name: str, email: str, phone: str) -> bool:
    """Someone connected to the group with the same first and last name (as searches compare them) and,
    when an email or phone was given, the same email or phone: probably the same person, registering
    again. Nothing about them is returned: the door only asks "Have you been here before?"."""
    name = search_key(f"{first_name} {last_name}")[:210]
    people = db.session.scalars(select(Person).where(Person.search_name == name,
                                                     Person.id.in_(connected_to_group(group_id)))).all()
    email, phone = (email or "").strip().casefold(), _digits(phone)
    for person in people:
        if not email and not phone:
            return True
        if (email and person.email.strip().casefold() == email) or (phone and _digits(person.phone) == phone):
            return True
    return False


def short_name(person: Person) -> str:
    """First name and last initial: all a shared screen may show."""
    first = person.preferred_name or person.first_name
    return f"{first} {person.last_name[:1]}." if person.last_name else first


def _sign_in_statement(dialect_insert):
    table = Attendance.__table__
    stmt = dialect_insert(table).values(meeting_id=bindparam("m"), person_id=bindparam("p"),
                                        status=AttendanceStatus.ATTENDED, signed_in_at=bindparam("at"),
                                        took_part=TakingPart.ROOM)
    return stmt.on_conflict_do_update(
        index_elements=["meeting_id", "person_id"],
        set_={"status": stmt.excluded.status, "signed_in_at": stmt.excluded.signed_in_at,
              "took_part": stmt.excluded.took_part},
        where=table.c.status != AttendanceStatus.ATTENDED)


# Built once: the door sign-in is the busiest write in the service.
_SIGN_IN = {"postgresql": _sign_in_statement(pg_insert), "sqlite": _sign_in_statement(sqlite_insert)}


def sign_in(meeting_id: int, person_id: int) -> None:
    """Mark the person as here in the room (invited or not). Signing in twice changes nothing; the first time is kept.
    One statement and no read, because fifty tablets may be doing this at once: a new row, or the
    person's invitation turned into "attended" (the WHERE leaves an earlier sign-in as it was)."""
    db.session.execute(_SIGN_IN[db.session.get_bind().dialect.name],
                       {"m": meeting_id, "p": person_id, "at": utcnow()})


# The audit entry of a door sign-in (no staff user: door mode has none), written with the sign-in itself.
DOOR_SIGN_IN = "door-sign-in"
_AUDIT = AuditEvent.__table__
_AUDIT_SIGN_IN = insert(_AUDIT)


def _audit_sign_in_values(meeting_id: int, person_id: int, at) -> dict:
    return {"at": at, "action": DOOR_SIGN_IN, "record_type": "Person", "record_id": str(person_id),
            "after": {"meeting_id": meeting_id}}


def sign_in_with_audit(meeting_id: int, person_id: int) -> None:
    """sign_in() and the door's audit entry ("door-sign-in", naming the meeting), in the caller's
    transaction (the caller commits). Raises IntegrityError if the person or the meeting is gone."""
    sign_in(meeting_id, person_id)
    db.session.execute(_AUDIT_SIGN_IN, _audit_sign_in_values(meeting_id, person_id, utcnow()))


def _claim_and_sign_in_statement():
    """PostgreSQL only: claim(), sign_in() and the audit entry as one statement. The first data-modifying
    CTE inserts the token; the sign-in row and the audit row are selected from it, so a used token (unique
    violation) or a removed person (foreign key) stores nothing at all."""
    tokens, table = FormToken.__table__, Attendance.__table__
    claimed = (insert(tokens).values(token=bindparam("token"), used_on=bindparam("used_on"))
               .returning(tokens.c.token).cte("claimed"))
    row = select(bindparam("m", type_=table.c.meeting_id.type), bindparam("p", type_=table.c.person_id.type),
                 literal(AttendanceStatus.ATTENDED, table.c.status.type),
                 bindparam("at", type_=table.c.signed_in_at.type),
                 literal(TakingPart.ROOM, table.c.took_part.type)).select_from(claimed)
    stmt = pg_insert(table).from_select(["meeting_id", "person_id", "status", "signed_in_at", "took_part"], row)
    signed = stmt.on_conflict_do_update(
        index_elements=["meeting_id", "person_id"],
        set_={"status": stmt.excluded.status, "signed_in_at": stmt.excluded.signed_in_at,
              "took_part": stmt.excluded.took_part},
        where=table.c.status != AttendanceStatus.ATTENDED).returning(table.c.id).cte("signed")
    audit_row = select(bindparam("at", type_=_AUDIT.c.at.type), literal(DOOR_SIGN_IN, _AUDIT.c.action.type),
                       literal("Person", _AUDIT.c.record_type.type),
                       bindparam("record_id", type_=_AUDIT.c.record_id.type),
                       bindparam("after", type_=_AUDIT.c.after.type)).select_from(claimed)
    return insert(_AUDIT).from_select(["at", "action", "record_type", "record_id", "after"], audit_row) \
        .add_cte(signed)


_CLAIM_AND_SIGN_IN = _claim_and_sign_in_statement()


def sign_in_once(token: str, meeting_id: int, person_id: int) -> bool:
    """claim(token), sign_in() and commit_once() for the door's sign-in confirm. Commits.

    The busiest write in the service. False if the person or the meeting no longer exists (nothing is
    stored); True if signed in, now or by an earlier use of the token.

    It writes the door's audit entry ("door-sign-in", naming the meeting) in the same transaction, so a
    double tap makes one sign-in and one audit row. It runs on a Core connection of its own, not through
    the ORM session, whose bookkeeping cost more than the statements. On PostgreSQL it is one statement in
    autocommit (atomic by itself), so one round trip instead of five: BEGIN, three INSERTs, COMMIT (as
    SQLite does it). If this request's session has a transaction open already, the steps join it instead
    (a second connection could wait on its locks) and commit_once commits it."""
    if db.session().in_transaction():
        if claim(token):
            try:
                sign_in_with_audit(meeting_id, person_id)
            except IntegrityError:
                db.session.rollback()
                return False
            commit_once()
        return True
    if not TOKEN_RE.match(token or ""):
        return True  # as claim(): a malformed token is never stored, and counts as already done
    claim_values = {"token": token, "used_on": london_today()}
    sign_in_values = {"m": meeting_id, "p": person_id, "at": utcnow()}
    audit_values = _audit_sign_in_values(meeting_id, person_id, sign_in_values["at"])
    try:
        with db.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execution_options(isolation_level="AUTOCOMMIT")
                connection.execute(_CLAIM_AND_SIGN_IN, {**claim_values, **sign_in_values,
                                                        "record_id": audit_values["record_id"],
                                                        "after": audit_values["after"]})
            else:
                with connection.begin():
                    connection.execute(_CLAIM, claim_values)
                    connection.execute(_SIGN_IN[connection.dialect.name], sign_in_values)
                    connection.execute(_AUDIT_SIGN_IN, audit_values)
    except IntegrityError as error:
        return _token_used_already(error)
    return True


def _token_used_already(error: IntegrityError) -> bool:
    """The sign-in is an upsert, so a unique violation can only be the token's primary key: a double tap,
    already done. Any other integrity error is a foreign key: the person (or meeting) is gone."""
    return (getattr(error.orig, "sqlstate", None) == "23505"  # PostgreSQL's unique_violation
            or getattr(error.orig, "sqlite_errorname", None) in ("SQLITE_CONSTRAINT_PRIMARYKEY",
                                                                   "SQLITE_CONSTRAINT_UNIQUE"))


def register(**values) -> Person:
    person = Person(consent_at=utcnow(), **values)
    person.refresh_search_name()
    db.session.add(person)
    db.session.flush()
    return person


def standing_needs(person_id: int) -> list[AccessNeed]:
    return db.session.scalars(select(AccessNeed).where(
        AccessNeed.person_id == person_id, AccessNeed.meeting_id.is_(None), AccessNeed.ended_at.is_(None))).all()


def needs_for_meeting(person_id: int, meeting_id: int) -> list[AccessNeed]:
    return db.session.scalars(select(AccessNeed).where(
        AccessNeed.person_id == person_id, AccessNeed.meeting_id == meeting_id, AccessNeed.ended_at.is_(None))).all()


def save_needs(person_id: int, meeting_id: int, chosen: dict[NeedKind, str], remember: bool) -> None:
    """Record what support the person asked for. `chosen` maps each need to its detail text.

    Remembered needs replace the person's standing needs; otherwise they replace what was asked for
    this meeting only. Needs no longer chosen are ended, not deleted, so the record stays honest."""
    now = utcnow()
    if remember:
        current = {n.kind: n for n in standing_needs(person_id)}
        scope = None
        # Asked for "future meetings too": this meeting's one-off requests are folded into them.
        db.session.execute(update(AccessNeed).where(
            AccessNeed.person_id == person_id, AccessNeed.meeting_id == meeting_id, AccessNeed.ended_at.is_(None))
            .values(ended_at=now))
    else:
        current = {n.kind: n for n in needs_for_meeting(person_id, meeting_id)}
        scope = meeting_id
    for kind, need in current.items():
        if kind not in chosen:
            need.ended_at = now
        elif need.detail != chosen[kind]:
            need.detail = chosen[kind]
    for kind, detail in chosen.items():
        if kind not in current:
            db.session.add(AccessNeed(person_id=person_id, meeting_id=scope, kind=kind, detail=detail,
                                      created_at=now))


def add_needs(person_id: int, meeting_id: int, chosen: dict[NeedKind, str], remember: bool) -> list[NeedKind]:
    """The door's version of save_needs: what was ticked is only ever added, never replacing or ending
    anything on file (whoever is at the tablet may not be the person). With `remember`, a kind not yet
    among the standing needs becomes one; anything else is added for this meeting. A detail that is
    already on file is not added twice. Returns the kinds added or extended (for the audit entry)."""
    now = utcnow()
    standing = {n.kind: n for n in standing_needs(person_id)}
    today = {n.kind: n for n in needs_for_meeting(person_id, meeting_id)}
    added = []
    for kind, detail in chosen.items():
        if remember and kind not in standing:
            db.session.add(AccessNeed(person_id=person_id, meeting_id=None, kind=kind, detail=detail, created_at=now))
            added.append(kind)
            continue
        on_file = [n.detail for n in (standing.get(kind), today.get(kind)) if n is not None]
        if on_file and (not detail or any(detail in d for d in on_file)):
            continue  # asked for already: nothing new to add
        if kind in today:
            today[kind].detail = "\n".join(d for d in (today[kind].detail, detail) if d)
        else:
            db.session.add(AccessNeed(person_id=person_id, meeting_id=meeting_id, kind=kind, detail=detail,
                                      created_at=now))
        added.append(kind)
    return added


def suggest(group_id: int, meeting_id: int | None, what: str, why: str, name: str, source: str) -> Suggestion:
    suggestion = Suggestion(group_id=group_id, meeting_id=meeting_id, what=what, why=why, name=name, source=source)
    db.session.add(suggestion)
    return suggestion


def save_checklist(meeting_id: int, answers: dict,
                   channel: ChecklistChannel = ChecklistChannel.DOOR) -> ChecklistResponse:
    """Store the answers with the meeting, today's date and how they arrived (door, personal link, the
    meeting's link, paper) only: nothing that could say who answered."""
    values = {k: answers.get(k) for k in checklist.FIELDS}
    for comment in checklist.COMMENTS:
        values[comment] = values[comment] or ""
    response = ChecklistResponse(meeting_id=meeting_id, responded_on=london_today(), channel=channel, **values)
    db.session.add(response)
    return response
