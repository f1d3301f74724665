"""What participants do: sign in, register, ask for support, suggest, answer the checklist.

Used by the door tablet and by personal links. Each write that a double tap could repeat starts by
claiming the form's one-time token; the caller commits, and a False return means "already done".
The token's signature is checked by the form (forms/door.py OnceForm, `confirmed`) before it gets here:
claiming only stores it, so a token is checked once however it travels.
"""
from sqlalchemy import bindparam, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from forms.door import FORM_TOKEN_RE, new_form_token  # noqa: F401  (new_form_token re-exported for views)

from .extensions import db
from .models import (AccessNeed, Attendance, AttendanceStatus, ChecklistResponse, FormToken, NeedKind, Person,
                     Suggestion)
from .models.base import london_today, utcnow
from .models.people import search_key

TOKEN_RE = FORM_TOKEN_RE
_CLAIM = insert(FormToken.__table__)
MATCH_LIMIT = 8
MIN_SEARCH_LETTERS = 2


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


def commit_once() -> bool:
    """Commit; a unique constraint hit by a simultaneous identical submission counts as done."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def people_matching(typed: str) -> list[Person]:
    """People whose first or last name starts with what was typed; nothing for fewer than two letters."""
    typed = search_key(typed)
    if len(typed) < MIN_SEARCH_LETTERS:
        return []
    pattern = typed.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return db.session.scalars(
        select(Person).where(Person.search_name.like(f"{pattern}%", escape="\\")
                             | Person.search_name.like(f"% {pattern}%", escape="\\"))
        .order_by(Person.first_name, Person.last_name).limit(MATCH_LIMIT)
    ).all()


def short_name(person: Person) -> str:
    """First name and last initial: all a shared screen may show."""
    first = person.preferred_name or person.first_name
    return f"{first} {person.last_name[:1]}." if person.last_name else first


def _sign_in_statement(dialect_insert):
    table = Attendance.__table__
    stmt = dialect_insert(table).values(meeting_id=bindparam("m"), person_id=bindparam("p"),
                                        status=AttendanceStatus.ATTENDED, signed_in_at=bindparam("at"))
    return stmt.on_conflict_do_update(
        index_elements=["meeting_id", "person_id"],
        set_={"status": stmt.excluded.status, "signed_in_at": stmt.excluded.signed_in_at},
        where=table.c.status != AttendanceStatus.ATTENDED)


# Built once: the door sign-in is the busiest write in the service.
_SIGN_IN = {"postgresql": _sign_in_statement(pg_insert), "sqlite": _sign_in_statement(sqlite_insert)}


def sign_in(meeting_id: int, person_id: int) -> None:
    """Mark the person as here (invited or not). Signing in twice changes nothing; the first time is kept.
    One statement and no read, because fifty tablets may be doing this at once: a new row, or the
    person's invitation turned into "attended" (the WHERE leaves an earlier sign-in as it was)."""
    db.session.execute(_SIGN_IN[db.session.get_bind().dialect.name],
                       {"m": meeting_id, "p": person_id, "at": utcnow()})


def _claim_and_sign_in_statement():
    """PostgreSQL only: claim() and sign_in() as one statement. The data-modifying CTE inserts the token;
    the sign-in row is selected from it, so a used token (unique violation) stores nothing at all."""
    tokens, table = FormToken.__table__, Attendance.__table__
    claimed = (insert(tokens).values(token=bindparam("token"), used_on=bindparam("used_on"))
               .returning(tokens.c.token).cte("claimed"))
    row = select(bindparam("m", type_=table.c.meeting_id.type), bindparam("p", type_=table.c.person_id.type),
                 literal(AttendanceStatus.ATTENDED, table.c.status.type),
                 bindparam("at", type_=table.c.signed_in_at.type)).select_from(claimed)
    stmt = pg_insert(table).from_select(["meeting_id", "person_id", "status", "signed_in_at"], row)
    return stmt.on_conflict_do_update(
        index_elements=["meeting_id", "person_id"],
        set_={"status": stmt.excluded.status, "signed_in_at": stmt.excluded.signed_in_at},
        where=table.c.status != AttendanceStatus.ATTENDED)


_CLAIM_AND_SIGN_IN = _claim_and_sign_in_statement()


def sign_in_once(token: str, meeting_id: int, person_id: int) -> bool:
    """claim(token), sign_in() and commit_once() for the door's sign-in confirm, the busiest write in the
    service. False if the person or the meeting no longer exists (nothing is stored); True if signed in,
    now or by an earlier use of the token.

    It runs on a Core connection of its own, not through the ORM session, whose bookkeeping cost more
    than the two statements. On PostgreSQL it is one statement in autocommit (atomic by itself), so one
    round trip instead of four: BEGIN, two INSERTs, COMMIT. If this request's session has a transaction
    open already, the steps join it instead (a second connection could wait on its locks)."""
    if db.session().in_transaction():
        if claim(token):
            try:
                sign_in(meeting_id, person_id)
            except IntegrityError:
                db.session.rollback()
                return False
            commit_once()
        return True
    if not TOKEN_RE.match(token or ""):
        return True  # as claim(): a malformed token is never stored, and counts as already done
    claim_values = {"token": token, "used_on": london_today()}
    sign_in_values = {"m": meeting_id, "p": person_id, "at": utcnow()}
    try:
        with db.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execution_options(isolation_level="AUTOCOMMIT")
                connection.execute(_CLAIM_AND_SIGN_IN, {**claim_values, **sign_in_values})
            else:
                with connection.begin():
                    connection.execute(_CLAIM, claim_values)
                    connection.execute(_SIGN_IN[connection.dialect.name], sign_in_values)
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


def suggest(group_id: int, meeting_id: int | None, what: str, why: str, name: str, source: str) -> Suggestion:
    suggestion = Suggestion(group_id=group_id, meeting_id=meeting_id, what=what, why=why, name=name, source=source)
    db.session.add(suggestion)
    return suggestion


CHECKLIST_FIELDS = ("achieved", "achieved_more", "outcomes", "feeling", "feeling_more", "inclusive",
                    "inclusive_more", "accessible", "accessible_more", "payment_clear", "change", "here_as")


def save_checklist(meeting_id: int, answers: dict) -> ChecklistResponse:
    """Store the answers with the meeting and today's date only: nothing that could say who answered."""
    values = {k: answers.get(k) for k in CHECKLIST_FIELDS}
    for text_field in ("achieved_more", "outcomes", "feeling_more", "inclusive_more", "accessible_more", "change"):
        values[text_field] = values[text_field] or ""
    response = ChecklistResponse(meeting_id=meeting_id, responded_on=london_today(), **values)
    db.session.add(response)
    return response
