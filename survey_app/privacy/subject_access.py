"""Subject access: every record held about one person, gathered as plain rows for the workbook.

What is in it: their details (contact, preferences, benefits, payee reference, organisation), the
meetings they were on the list for, their support needs and when each was arranged, their personal
links (never the link itself), the suggestions they voted for, the voices they bring, their recognition
lines, their registration or sign-in as the door tablet sent it after working offline, and the audit
trail of their records (see audit_search.person_condition).

What is not: checklist answers (anonymous by design, with nothing that links them to anyone) and
suggestions (kept with only the name someone typed, so they cannot be told apart from another
person's with the same name).
"""
from datetime import datetime

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import aliased, joinedload

from exports.subject_access import Section, SubjectAccess

from ..models import (
    AccessNeed,
    Attendance,
    AuditEvent,
    Group,
    Invitation,
    Meeting,
    Message,
    MessageKind,
    MessageOptOut,
    NeedArrangement,
    OfflineSubmission,
    Person,
    PersonBenefit,
    PersonVoice,
    RecognitionLine,
    RecognitionPreference,
    Suggestion,
    SuggestionVote,
    User,
    Voice,
)
from ..models.offline import KIND_LABELS, OUTCOME_LABELS
from ..web.extensions import db
from . import audit_search
from .retention import OFFLINE_SUBMISSION_DAYS

NOT_INCLUDED = (
    _l("Answers to the Co-production Checklist: they are anonymous and nothing links them to anyone."),
    _l("Suggestions of what to talk about: they keep only the name that was typed, so they cannot be linked "
       "to one person. Suggestions this person voted for are on the Votes sheet."),
)


def _label(enum_value):
    return enum_value.label if enum_value is not None else ""


def subject_access_rows(person_id: int, made_by: User, made_at: datetime) -> SubjectAccess | None:
    person = db.session.get(Person, person_id, options=[joinedload(Person.organisation)])
    if person is None:
        return None
    sections = [_details(person), _meetings(person.id), _needs(person.id), _arrangements(person.id),
                _invitations(person.id), _messages(person.id), _votes(person.id), _voices(person.id),
                _recognition(person.id), _door_offline(person.id), _audit(person.id)]
    return SubjectAccess(person_id=person.id, person_name=f"{person.first_name} {person.last_name}",
                         made_at=made_at, made_by=f"{made_by.name} ({made_by.email})", sections=sections,
                         notes=[str(n) for n in NOT_INCLUDED])


def _details(p: Person) -> Section:
    preference = {r.value: r.label for r in RecognitionPreference}.get(p.recognition_preference or "", "")
    org = p.organisation
    rows = [
        (_("Person number"), p.id),
        (_("First name"), p.first_name),
        (_("Last name"), p.last_name),
        (_("Preferred name"), p.preferred_name),
        (_("Email address"), p.email),
        (_("Phone number"), p.phone),
        (_("Postal address"), p.address),
        (_("Contact them by"), _label(p.contact_method)),
        (_("Who passes messages on"), p.contact_through),
        (_("Messages they asked us to stop"), _stopped(p.id)),
        (_("Information in"), _label(p.information_format)),
        (_("Language"), current_app.config["LANGUAGES"].get(p.language, p.language)),
        (_("Who they are in the group"), _label(p.role)),
        (_("Organisation"), org.name if org else ""),
        (_("Kind of organisation"), _label(org.kind) if org else ""),
        (_("Co-production Champion"), p.is_champion),
        (_("Agreed to us keeping their details"), p.consent_at),
        (_("Added on"), p.created_at),
        (_("How they would like to be recognised"), preference),
        (_("Talk to them about benefits before paying"), p.benefits_check),
        (_("Benefits talked through on"), p.benefits_talked_on),
        (_("Benefits talked through with"), p.benefits_talked_by),
        (_("Agreed we can record which benefits they get"), p.benefits_consent_at),
        (_("Benefits they get"), ", ".join(str(kind.label) for kind in db.session.scalars(
            select(PersonBenefit.benefit).where(PersonBenefit.person_id == p.id).order_by(PersonBenefit.id)))),
        (_("Universal Credit assessment day"), p.uc_assessment_day),
        (_("What they agreed about being paid"), _label(p.benefits_agreement) if p.benefits_agreement else ""),
        (_("Note about what they agreed"), p.benefits_agreement_note),
        (_("Permitted work form sent on"), p.permitted_work_form_on),
        (_("Payee reference"), p.payee_ref),
    ]
    erased_at = getattr(p, "erased_at", None)  # set by erasure (survey_app/privacy/erasure.py)
    if erased_at is not None:
        rows += [(_("Details erased on"), erased_at), (_("Finance records kept until"), getattr(p, "keep_until", None))]
    return Section(_("Details"), _("Their name, contact details, preferences, organisation, benefits "
                                   "and payee reference."),
                   [(_("What we hold"), "text"), (_("Value"), "text")], rows, vertical=True)


def _meetings(person_id: int) -> Section:
    rows = db.session.execute(
        select(Meeting.title, Group.name, Meeting.starts_at, Attendance.status, Attendance.signed_in_at,
               Attendance.took_part)
        .join(Meeting, Meeting.id == Attendance.meeting_id).join(Group, Group.id == Meeting.group_id)
        .where(Attendance.person_id == person_id).order_by(Meeting.starts_at, Attendance.id)).all()
    return Section(
        _("Meetings"), _("Meetings they were invited to, registered for or came to."),
        [(_("Meeting"), "text"), (_("Group"), "text"), (_("Starts"), "datetime"),
         (_("Status"), "text"), (_("Signed in at"), "datetime"), (_("How they took part"), "text")],
        [(title, group, starts, status.label, signed, how.label if how else "")
         for title, group, starts, status, signed, how in rows],
        empty=_("No meetings."))


def _needs(person_id: int) -> Section:
    needs = db.session.scalars(select(AccessNeed).options(joinedload(AccessNeed.meeting))
                               .where(AccessNeed.person_id == person_id)
                               .order_by(AccessNeed.created_at, AccessNeed.id)).all()
    every = _("Every meeting")
    rows = [(n.id, n.kind.label, n.detail, n.meeting.title if n.meeting else every,
             n.meeting.starts_at if n.meeting else None, n.created_at, n.ended_at) for n in needs]
    return Section(
        _("Support needs"), _("The support they asked for, for one meeting or every meeting, including "
                              "support they no longer need (with the date it ended)."),
        [(_("Need number"), "number"), (_("Support needed"), "text"), (_("Details"), "text"),
         (_("For"), "text"), (_("Meeting starts"), "datetime"), (_("Asked on"), "datetime"),
         (_("Ended on"), "datetime")],
        rows, empty=_("No support needs."))


def _arrangements(person_id: int) -> Section:
    rows = db.session.execute(
        select(NeedArrangement.need_id, AccessNeed.kind, Meeting.title, Meeting.starts_at,
               NeedArrangement.arranged_at, User.name)
        .join(AccessNeed, AccessNeed.id == NeedArrangement.need_id)
        .join(Meeting, Meeting.id == NeedArrangement.meeting_id)
        .join(User, User.id == NeedArrangement.arranged_by_id)
        .where(AccessNeed.person_id == person_id).order_by(Meeting.starts_at, NeedArrangement.id)).all()
    return Section(
        _("Support arranged"), _("Which of their support needs were arranged for which meeting, "
                                 "when and by whom."),
        [(_("Need number"), "number"), (_("Support needed"), "text"), (_("Meeting"), "text"),
         (_("Meeting starts"), "datetime"), (_("Arranged on"), "datetime"),
         (_("Arranged by"), "text")],
        [(need_id, kind.label, title, starts, at, by) for need_id, kind, title, starts, at, by in rows],
        empty=_("No support arranged."))


def _invitations(person_id: int) -> Section:
    rows = db.session.execute(
        select(Meeting.title, Group.name, Meeting.starts_at, Invitation.created_at)
        .join(Meeting, Meeting.id == Invitation.meeting_id).join(Group, Group.id == Meeting.group_id)
        .where(Invitation.person_id == person_id).order_by(Meeting.starts_at, Invitation.id)).all()
    return Section(
        _("Personal links"), _("The meetings a personal link was made for, and when. The links "
                               "themselves are not shown: they work like a password."),
        [(_("Meeting"), "text"), (_("Group"), "text"), (_("Meeting starts"), "datetime"),
         (_("Link made on"), "datetime")],
        [tuple(r) for r in rows], empty=_("No personal links."))


def _stopped(person_id: int) -> str:
    kinds = set(db.session.scalars(select(MessageOptOut.kind).where(MessageOptOut.person_id == person_id)))
    return ", ".join(str(kind.label) for kind in MessageKind if kind in kinds) or _("None")


def _messages(person_id: int) -> Section:
    rows = db.session.execute(
        select(Message.created_at, Message.kind, Message.channel, Message.to, Message.status, Message.sent_at)
        .where(Message.person_id == person_id).order_by(Message.created_at, Message.id)).all()
    return Section(
        _("Messages"), _("The messages we sent them or will send them: when, what kind, which way, where to "
                         "and whether it went."),
        [(_("Made on"), "datetime"), (_("What"), "text"), (_("Way"), "text"), (_("Sent to"), "text"),
         (_("Status"), "text"), (_("Sent on"), "datetime")],
        [(made, kind.label, channel.label, to, status.label, sent) for made, kind, channel, to, status, sent in rows],
        empty=_("No messages."))


def _votes(person_id: int) -> Section:
    rows = db.session.execute(
        select(Group.name, Suggestion.what, Suggestion.status, SuggestionVote.created_at)
        .join(Suggestion, Suggestion.id == SuggestionVote.suggestion_id).join(Group, Group.id == Suggestion.group_id)
        .where(SuggestionVote.person_id == person_id).order_by(SuggestionVote.created_at, SuggestionVote.id)).all()
    return Section(
        _("Votes"), _("Suggestions of what to talk about that they voted for."),
        [(_("Group"), "text"), (_("Suggestion"), "text"), (_("What happened to it"), "text"),
         (_("Voted on"), "datetime")],
        [(group, what, status.label, at) for group, what, status, at in rows], empty=_("No votes."))


def _voices(person_id: int) -> Section:
    chosen = set(db.session.scalars(select(PersonVoice.voice).where(PersonVoice.person_id == person_id)))
    rows = [(str(v.label),) for v in Voice if v in chosen]
    return Section(_("Voices"), _("The voices they told us they bring."),
                   [(_("Voice they bring"), "text")], rows, empty=_("No voices recorded."))


def _door_offline(person_id: int) -> Section:
    """Their registration or sign-in as the door tablet sent it after working offline (issue 19)."""
    rows = db.session.execute(
        select(Meeting.title, OfflineSubmission.kind, OfflineSubmission.short_label, OfflineSubmission.outcome,
               OfflineSubmission.received_at)
        .join(Meeting, Meeting.id == OfflineSubmission.meeting_id)
        .where(OfflineSubmission.person_id == person_id)
        .order_by(OfflineSubmission.received_at, OfflineSubmission.position)).all()
    return Section(
        _("Door tablet offline"),
        ngettext("Their registration or sign-in as the door tablet sent it after working without the internet. "
                 "Kept %(num)d day.",
                 "Their registration or sign-in as the door tablet sent it after working without the internet. "
                 "Kept %(num)d days.", OFFLINE_SUBMISSION_DAYS),
        [(_("Meeting"), "text"), (_("What"), "text"), (_("Name shown"), "text"), (_("Outcome"), "text"),
         (_("Received"), "datetime")],
        [(title, str(KIND_LABELS.get(kind, kind)), label, str(OUTCOME_LABELS.get(outcome, outcome)), at)
         for title, kind, label, outcome, at in rows],
        empty=_("Nothing from the door tablet."))


def _recognition(person_id: int) -> Section:
    recorded_by, approved_by = aliased(User), aliased(User)
    lines = db.session.execute(
        select(RecognitionLine, Group.name, recorded_by.name, approved_by.name)
        .options(joinedload(RecognitionLine.meeting), joinedload(RecognitionLine.finance_return))
        .join(Group, Group.id == RecognitionLine.group_id)
        .join(recorded_by, recorded_by.id == RecognitionLine.recorded_by_id)
        .outerjoin(approved_by, approved_by.id == RecognitionLine.approved_by_id)
        .where(RecognitionLine.person_id == person_id)
        .order_by(RecognitionLine.activity_on, RecognitionLine.id)).all()
    rows = []
    for line, group, recorder, approver in lines:
        rows.append((
            line.id, line.activity_on, line.kind.label, line.meeting.title if line.meeting else line.activity, group,
            _label(line.basis), line.hours_hundredths / 100 if line.hours_hundredths is not None else None,
            line.miles_tenths / 10 if line.miles_tenths is not None else None, line.rate_pence,
            line.amount_pence if line.money else None, line.taxable, _label(line.expense_type),
            _label(line.thanks_type), line.voucher_provider, line.voucher_serial, line.voucher_handed_over_on,
            line.voucher_signed_for if line.kind.value == "voucher" else None,
            line.receipt_seen if line.kind.value == "expense" else None, line.description, line.cost_code,
            line.status.label, line.finance_return.number if line.finance_return else None,
            line.reverses_id, line.recorded_at, recorder, line.approved_at, approver))
    return Section(
        _("Recognition"), _("Payments, vouchers, thanks and expenses recorded for them, with amounts in "
                            "pounds, their status and the finance return each went in."),
        [(_("Line number"), "number"), (_("Date"), "date"), (_("Kind"), "text"),
         (_("For"), "text"), (_("Group"), "text"), (_("Payment basis"), "text"),
         (_("Hours"), "decimal"), (_("Miles"), "decimal"), (_("Rate"), "money"),
         (_("Amount"), "money"), (_("Taxable"), "yes_no"), (_("Expense type"), "text"),
         (_("Thanks"), "text"), (_("Voucher provider"), "text"), (_("Voucher serial"), "text"),
         (_("Voucher handed over on"), "date"), (_("Signed for"), "yes_no"),
         (_("Receipt seen"), "yes_no"), (_("Description"), "text"), (_("Cost code"), "text"),
         (_("Status"), "text"), (_("Finance return"), "number"), (_("Corrects line"), "number"),
         (_("Recorded on"), "datetime"), (_("Recorded by"), "text"), (_("Approved on"), "datetime"),
         (_("Approved by"), "text")],
        rows, empty=_("No recognition recorded."))


def _audit(person_id: int) -> Section:
    oldest_first = audit_search.events_query(audit_search.Filters(person_id=person_id)) \
        .order_by(None).order_by(AuditEvent.at, AuditEvent.id)
    events = db.session.scalars(oldest_first).all()
    system = _("System")
    rows = [(e.at, e.user.name if e.user else system, str(audit_search.action_label(e.action)),
             str(audit_search.record_label(e.record_type)),
             e.record_id, audit_search.changes_text(e, longest=None)) for e in events]
    return Section(
        _("Audit trail"), _("Every change to their records, and every time staff looked at their support "
                            "needs or downloaded their records, with who did it and what changed."),
        [(_("When"), "datetime"), (_("Who"), "text"), (_("What"), "text"),
         (_("Record"), "text"), (_("Record number"), "text"), (_("Changes"), "text")],
        rows, empty=_("Nothing in the audit trail."))
