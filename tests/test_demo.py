"""`flask --app survey_app demo load` fills an empty database, and only an empty one."""
from sqlalchemy import func, select

from survey_app.models import Attendance, Group, Meeting, Person, PersonRole
from survey_app.models.base import utcnow
from survey_app.web.extensions import db


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_demo_load_fills_an_empty_database(runner):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    from survey_app.models import AttendanceStatus, MeetingKind, TakingPart

    assert count(Group) == 2 and count(Person) == 40
    kinds = db.session.scalars(select(Meeting.kind)).all()
    assert kinds.count(MeetingKind.MEETING) == 12 and kinds.count(MeetingKind.PANEL) == 1 and len(kinds) == 13
    attended = db.session.scalars(select(Attendance).where(Attendance.status == AttendanceStatus.ATTENDED)).all()
    ways = [a.took_part for a in attended]
    assert ways.count(TakingPart.ONLINE) == 1 and ways.count(TakingPart.PHONE) == 1 and None not in ways
    panel = db.session.scalar(select(Meeting).where(Meeting.kind == MeetingKind.PANEL))
    assert len([a for a in attended if a.meeting_id == panel.id]) == 2
    roles = set(db.session.scalars(select(Person.role)).all())
    assert {PersonRole.LIVED_EXPERIENCE, PersonRole.CARER, PersonRole.STAFF, PersonRole.VOLUNTEER} <= roles
    now = utcnow()
    starts = db.session.scalars(select(Meeting.starts_at)).all()
    assert any(s < now for s in starts) and any(s > now for s in starts)
    assert count(Attendance) > 0
    from survey_app.models import AccessNeed, ChecklistResponse, Suggestion

    assert count(Suggestion) == 6 and count(ChecklistResponse) >= 30
    standing = db.session.scalar(select(func.count()).select_from(AccessNeed).where(AccessNeed.meeting_id.is_(None)))
    assert standing == 10 and count(AccessNeed) == 10 + 36


def test_demo_load_refuses_a_database_with_data(runner, sample):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code != 0
    assert "already has people or groups" in result.output
    assert count(Person) == 1


def test_demo_data_pages_render(client, login_as, runner):
    runner.invoke(args=["demo", "load"])
    login_as("organiser")
    for url in ("/dashboard", "/meetings", "/meetings?when=past", "/people", "/groups", "/organisations"):
        assert client.get(url).status_code == 200


def test_demo_recognition_covers_every_status(runner):
    from survey_app.models import FinanceReturn, LineStatus, RecognitionLine, User

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    statuses = set(db.session.scalars(select(RecognitionLine.status)))
    assert statuses == {LineStatus.RECORDED, LineStatus.APPROVED, LineStatus.IN_RETURN, LineStatus.PAID}
    assert db.session.scalar(select(func.count()).select_from(RecognitionLine)
                             .where(RecognitionLine.reverses_id.is_not(None))) == 1
    returns = db.session.scalars(select(FinanceReturn).order_by(FinanceReturn.number)).all()
    assert [r.paid_on is not None for r in returns] == [True, False]
    assert not any(u.active for u in db.session.scalars(select(User)))  # nobody can sign in as demo staff


def test_demo_insight_data(runner):
    from survey_app.models import (
        Action,
        ActionStatus,
        NeedArrangement,
        PersonVoice,
        Suggestion,
        SuggestionStatus,
        SuggestionVote,
    )

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert set(db.session.scalars(select(Suggestion.status))) == set(SuggestionStatus)
    assert count(SuggestionVote) > 0 and count(NeedArrangement) > 0
    assert set(db.session.scalars(select(Action.status))) == set(ActionStatus)
    gone = db.session.scalar(select(Action).where(Action.status == ActionStatus.NOT_GOING_AHEAD))
    assert gone.explanation
    people_with_voices = db.session.scalar(select(func.count(func.distinct(PersonVoice.person_id))))
    assert people_with_voices >= 20


def test_demo_covers_each_payment_route_and_a_benefits_profile(runner):
    from survey_app.models import PaymentRoute, PersonBenefit, RecognitionAgreement

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert set(db.session.scalars(select(Person.payment_route).where(Person.payment_route.is_not(None)))) == \
        set(PaymentRoute)
    payroll = db.session.scalars(select(Person).where(Person.payment_route == PaymentRoute.PAYROLL)).all()
    assert payroll and all(p.payee_ref.startswith("PAY-") and p.payment_route_by_id for p in payroll)
    profiles = db.session.scalars(select(PersonBenefit)).all()
    assert len(profiles) >= 2 and all(p.person.benefits_consent_at for p in profiles)
    assert RecognitionAgreement.TAKE_LESS in {p.person.benefits_agreement for p in profiles}
