"""Benefits-aware recognition: the limits an admin keeps, a person's benefits (with consent), the check before
a payment or voucher, what they agreed, and the ESA permitted-work reminder read back from a real SMTP server."""
import html
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from survey_app.messages import sender
from survey_app.messages.transports import SMTPTransport
from survey_app.models import (
    Attendance,
    AttendanceStatus,
    AuditEvent,
    BenefitKind,
    BenefitLimit,
    ContactMethod,
    ExpenseType,
    Group,
    InformationFormat,
    LimitPeriod,
    LineStatus,
    Message,
    MessageKind,
    Person,
    PersonBenefit,
    PersonRole,
    Rate,
    RecognitionAgreement,
    RecognitionKind,
    RecognitionLine,
    Role,
    ThanksType,
)
from survey_app.models.base import london_today, utcnow
from survey_app.money import benefits
from survey_app.web.extensions import db
from tests.conftest import PASSWORD
from tests.queries import count_queries
from tests.smtp_server import smtp_server

CARER_WARNING = ("This would take Pat Jones's earnings for the week of Monday 30 November to £210.00. That is over "
                 "the Carer's Allowance earnings limit of £196.00 a week, and going over could stop their Carer's "
                 "Allowance for that week.")
REASON_ERROR = "Give a reason to go ahead, or change what you record."
ESA_REMINDER = ("Pat Jones gets ESA. Before their first payment they need to send the permitted work form (PW1) to "
                "the DWP. Record the date it was sent on their benefits page.")


def limit(benefit, name, pence, applies_from=date(2025, 4, 7), period=LimitPeriod.WEEK):
    row = BenefitLimit(benefit=benefit, name=name, period=period, limit_pence=pence, applies_from=applies_from,
                       source="GOV.UK")
    db.session.add(row)
    return row


@pytest.fixture
def world(app, sample, make_user):
    group = sample["group"]
    other = Group(name="Carers' Forum", description="", organisation=sample["organisation"])
    db.session.add(other)
    for g in (group, other):
        db.session.add(Rate(group=g, applies_from=date(2020, 4, 6), hourly_pence=1500, half_day_pence=4000,
                            day_pence=7500, mileage_pence=45))
    pat = Person(first_name="Pat", last_name="Jones", contact_method=ContactMethod.EMAIL, email="pat@example.org",
                 information_format=InformationFormat.STANDARD, role=PersonRole.CARER, payee_ref="SUP-7",
                 recognition_preference="paid", consent_at=utcnow(), benefits_consent_at=utcnow())
    pat.refresh_search_name()
    db.session.add(pat)
    limit(BenefitKind.CARERS_ALLOWANCE, "Carer's Allowance earnings limit", 19600)
    limit(BenefitKind.ESA, "Permitted work: lower limit", 2000)
    limit(BenefitKind.ESA, "Permitted work: higher limit", 19550)
    db.session.commit()
    return {**sample, "other": other, "pat": pat, "organiser": make_user(Role.ORGANISER),
            "finance": make_user(Role.FINANCE), "admin": make_user(Role.ADMIN)}


def gets(person, benefit, limit_name=""):
    db.session.add(PersonBenefit(person_id=person.id, benefit=benefit, limit_name=limit_name))
    db.session.commit()


def line(w, pence, on, kind=RecognitionKind.PAYMENT, group=None, **kw):
    row = RecognitionLine(person_id=w["pat"].id, group_id=(group or w["group"]).id, activity_on=on, kind=kind,
                          amount_pence=pence, recorded_by_id=w["organiser"].id, activity="Reading", **kw)
    db.session.add(row)
    db.session.commit()
    return row


def signed_in(app, user):
    client = app.test_client()
    assert client.submit("/login", {"email": user.email, "password": PASSWORD}).status_code == 302
    return client


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def words(response) -> str:
    """The page's text without its tags (typed text is in <bdi>), spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", text(response)).split()).replace(" .", ".")


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# --- The check ----------------------------------------------------------------------------------------------

def test_a_carers_payment_over_the_weekly_limit_warns_needs_a_reason_then_saves_with_it(app, world):
    pat = world["pat"]
    gets(pat, BenefitKind.CARERS_ALLOWANCE)
    line(world, 17000, date(2026, 12, 1))  # Tuesday of the week of Monday 30 November
    organiser = signed_in(app, world["organiser"])
    url = f"/people/{pat.id}/recognition/payment"
    typed = {"group": str(world["group"].id), "activity": "Reading the papers", "activity_on": "2026-12-02",
             "basis": "half_day", "description": "Long papers this time"}
    response = organiser.submit(url, typed)
    assert response.status_code == 400
    page = text(response)
    assert CARER_WARNING in page and REASON_ERROR in page
    assert 'value="Reading the papers"' in page and "Long papers this time" in page  # nothing typed is lost
    assert count(RecognitionLine) == 1

    response = organiser.submit(url, {**typed, "benefits_reason": "Pat knows, and wants to be paid."})
    assert response.status_code == 302
    saved = db.session.scalar(select(RecognitionLine).where(RecognitionLine.activity == "Reading the papers"))
    assert (saved.amount_pence, saved.benefits_warning, saved.benefits_reason) == (
        4000, CARER_WARNING, "Pat knows, and wants to be paid.")

    approve = words(signed_in(app, world["finance"]).get("/finance/approve"))
    assert CARER_WARNING in approve and "Reason to go ahead: Pat knows, and wants to be paid." in approve


def test_under_the_limit_nothing_is_asked_and_no_reason_is_kept(app, world):
    pat = world["pat"]
    gets(pat, BenefitKind.CARERS_ALLOWANCE)
    organiser = signed_in(app, world["organiser"])
    response = organiser.submit(f"/people/{pat.id}/recognition/payment", {
        "group": str(world["group"].id), "activity": "Reading", "activity_on": "2026-12-02", "basis": "half_day",
        "benefits_reason": "not needed"})
    assert response.status_code == 302
    saved = db.session.scalar(select(RecognitionLine))
    assert (saved.benefits_warning, saved.benefits_reason) == ("", "")


def test_expenses_and_thanks_never_count_failed_payments_do_not_reversals_do(app, world):
    pat = world["pat"]
    gets(pat, BenefitKind.CARERS_ALLOWANCE)
    day = date(2026, 12, 2)
    line(world, 50000, day, kind=RecognitionKind.EXPENSE, expense_type=ExpenseType.FARES)
    line(world, 0, day, kind=RecognitionKind.THANKS, thanks_type=ThanksType.LETTER)
    assert benefits.check(pat, day, RecognitionKind.EXPENSE, 90000).warnings == []  # expenses are never checked
    assert benefits.check(pat, day, RecognitionKind.PAYMENT, 19600).warnings == []  # exactly the limit is not over
    failed = line(world, 15000, day, status=LineStatus.PAYMENT_FAILED)
    assert benefits.check(pat, day, RecognitionKind.VOUCHER, 19600).warnings == []
    line(world, 10000, day)
    line(world, -10000, day, reverses_id=failed.id)  # a correction's reversal nets off
    assert benefits.check(pat, day, RecognitionKind.VOUCHER, 19600).warnings == []
    assert len(benefits.check(pat, day, RecognitionKind.VOUCHER, 19601).warnings) == 1


def test_two_groups_add_up_and_other_weeks_do_not(app, world):
    pat = world["pat"]
    gets(pat, BenefitKind.CARERS_ALLOWANCE)
    line(world, 10000, date(2026, 11, 30))  # Monday
    line(world, 9000, date(2026, 12, 6), group=world["other"])  # Sunday, the same week
    line(world, 50000, date(2026, 11, 29))  # Sunday the week before
    line(world, 50000, date(2026, 12, 7))  # Monday the week after
    found = benefits.check(pat, date(2026, 12, 3), RecognitionKind.PAYMENT, 1000)
    assert found.warnings == [
        "This would take Pat Jones's earnings for the week of Monday 30 November to £200.00. That is over the "
        "Carer's Allowance earnings limit of £196.00 a week, and going over could stop their Carer's Allowance "
        "for that week."]


def test_the_universal_credit_month_follows_the_assessment_day(app, world):
    assert benefits.assessment_month_of(date(2026, 12, 3), None) == (date(2026, 12, 1), date(2026, 12, 31))
    assert benefits.assessment_month_of(date(2026, 12, 3), 15) == (date(2026, 11, 15), date(2026, 12, 14))
    assert benefits.assessment_month_of(date(2026, 12, 20), 15) == (date(2026, 12, 15), date(2027, 1, 14))
    assert benefits.assessment_month_of(date(2027, 2, 28), 31) == (date(2027, 2, 28), date(2027, 3, 30))
    assert benefits.assessment_month_of(date(2027, 2, 27), 31) == (date(2027, 1, 31), date(2027, 2, 27))
    assert benefits.assessment_month_of(date(2027, 1, 5), 10) == (date(2026, 12, 10), date(2027, 1, 9))

    pat = world["pat"]
    pat.uc_assessment_day = 15
    limit(BenefitKind.UNIVERSAL_CREDIT, "Work allowance", 41100, period=LimitPeriod.MONTH)
    gets(pat, BenefitKind.UNIVERSAL_CREDIT)
    line(world, 40000, date(2026, 11, 20))  # in the month from 15 November
    line(world, 40000, date(2026, 11, 10))  # in the month before
    assert benefits.check(pat, date(2026, 12, 14), RecognitionKind.PAYMENT, 1000).warnings == []
    assert benefits.check(pat, date(2026, 12, 14), RecognitionKind.PAYMENT, 1200).warnings == [
        "This would take Pat Jones's earnings for the assessment month from Sunday 15 November to £412.00. That is "
        "over the Work allowance of £411.00 a month, and going over could reduce their Universal Credit for that "
        "month."]
    assert benefits.check(pat, date(2026, 12, 15), RecognitionKind.PAYMENT, 41000).warnings == []  # a new month


def test_the_limit_in_force_on_the_day_is_used(app, world):
    pat = world["pat"]
    gets(pat, BenefitKind.CARERS_ALLOWANCE)
    limit(BenefitKind.CARERS_ALLOWANCE, "Carer's Allowance earnings limit", 20000, applies_from=date(2026, 4, 6))
    limit(BenefitKind.CARERS_ALLOWANCE, "Carer's Allowance earnings limit", 25000, applies_from=date(2027, 4, 5))
    db.session.commit()
    assert "£196.00 a week" in benefits.check(pat, date(2026, 3, 30), RecognitionKind.PAYMENT, 19700).warning
    assert benefits.check(pat, date(2026, 4, 6), RecognitionKind.PAYMENT, 19700).warnings == []
    assert "£200.00 a week" in benefits.check(pat, date(2026, 12, 2), RecognitionKind.PAYMENT, 20100).warning


def test_a_chosen_esa_limit_is_the_only_one_checked_and_none_chosen_checks_all(app, world):
    pat = world["pat"]
    gets(pat, BenefitKind.ESA)
    day = date(2026, 12, 2)
    found = benefits.check(pat, day, RecognitionKind.PAYMENT, 19600)
    assert len(found.warnings) == 2
    assert "over the Permitted work: lower limit of £20.00 a week" in found.warnings[0]
    assert "over the Permitted work: higher limit of £195.50 a week" in found.warnings[1]
    db.session.execute(PersonBenefit.__table__.update().values(limit_name="Permitted work: higher limit"))
    db.session.commit()
    assert benefits.check(pat, day, RecognitionKind.PAYMENT, 19500).warnings == []
    assert len(benefits.check(pat, day, RecognitionKind.PAYMENT, 19600).warnings) == 1


def test_without_consent_nothing_is_checked(app, world):
    pat = world["pat"]
    gets(pat, BenefitKind.CARERS_ALLOWANCE)
    pat.benefits_consent_at = None
    db.session.commit()
    db.session.refresh(pat)  # as a request has it: loaded
    with count_queries() as counter:
        assert benefits.check(pat, date(2026, 12, 2), RecognitionKind.PAYMENT, 99999).warnings == []
    assert counter["n"] == 0


def test_the_check_takes_the_same_queries_whatever_the_history(app, world):
    pat = world["pat"]
    gets(pat, BenefitKind.CARERS_ALLOWANCE)
    gets(pat, BenefitKind.ESA)
    pat.uc_assessment_day = 9
    limit(BenefitKind.UNIVERSAL_CREDIT, "Work allowance", 41100, period=LimitPeriod.MONTH)
    gets(pat, BenefitKind.UNIVERSAL_CREDIT)
    day = date(2026, 12, 2)
    line(world, 100, day)
    db.session.refresh(pat)
    with count_queries() as one:
        benefits.check(pat, day, RecognitionKind.PAYMENT, 1000)
    for n in range(40):
        line(world, 100 + n, day - timedelta(days=n), kind=[RecognitionKind.PAYMENT, RecognitionKind.VOUCHER][n % 2],
             group=[world["group"], world["other"]][n % 2])
    db.session.refresh(pat)
    with count_queries() as many:
        found = benefits.check(pat, day, RecognitionKind.PAYMENT, 2000)
    assert many["n"] == one["n"] <= 2
    assert len(found.warnings) == 1  # £24.03 this week: over ESA's lower limit only


# --- What they agreed ---------------------------------------------------------------------------------------

def test_a_declined_person_gets_thanks_only_from_record_the_usual_and_the_forms_refuse(app, world):
    pat, meeting = world["pat"], world["meeting"]
    pat.benefits_agreement = RecognitionAgreement.DECLINE
    vic = Person(first_name="Vic", last_name="Lee", contact_method=ContactMethod.EMAIL, email="vic@example.org",
                 information_format=InformationFormat.STANDARD, role=PersonRole.CARER, payee_ref="SUP-8",
                 recognition_preference="paid", benefits_agreement=RecognitionAgreement.VOUCHER)
    vic.refresh_search_name()
    ola = Person(first_name="Ola", last_name="Ek", contact_method=ContactMethod.EMAIL, email="ola@example.org",
                 information_format=InformationFormat.STANDARD, role=PersonRole.CARER, payee_ref="SUP-9",
                 recognition_preference="paid", benefits_consent_at=utcnow())
    ola.refresh_search_name()
    db.session.add_all([vic, ola])
    db.session.flush()
    gets(ola, BenefitKind.ESA, "Permitted work: lower limit")  # a half-day fee of £40 is over £20
    for p in (pat, vic, ola):
        db.session.add(Attendance(meeting=meeting, person=p, status=AttendanceStatus.ATTENDED))
    db.session.commit()
    organiser = signed_in(app, world["organiser"])
    url = f"/meetings/{meeting.id}/recognition"
    response = organiser.submit(f"{url}/everyone", {"basis": "half_day"}, token_from=url)
    assert response.status_code == 302
    lines = db.session.execute(select(RecognitionLine.person_id, RecognitionLine.kind, RecognitionLine.thanks_type)).all()
    assert lines == [(pat.id, RecognitionKind.THANKS, ThanksType.LETTER)]
    page = text(organiser.get(url))
    assert "Recognition recorded for 1 person." in page
    assert "Record their voucher on their page: Vic Lee." in page
    assert ("Not recorded, because it would go over a benefits limit: record it on their page with a reason "
            "(Ola Ek).") in page

    for kind in ("payment", "voucher"):
        form = text(organiser.get(f"/people/{pat.id}/recognition/{kind}?meeting={meeting.id}"))
        assert "Pat Jones declined payment. Record thanks instead." in form and 'name="basis"' not in form
    response = organiser.post(f"/people/{pat.id}/recognition/payment?meeting={meeting.id}",
                              data={"csrf_token": organiser.csrf_token(f"/people/{pat.id}"), "basis": "half_day",
                                    "activity_on": "2026-12-02"})
    assert response.status_code == 409 and count(RecognitionLine) == 1
    pat.benefits_agreement = RecognitionAgreement.EXPENSES_ONLY
    db.session.commit()
    assert "Pat Jones agreed to expenses only." in text(organiser.get(f"/people/{pat.id}/recognition/voucher"))
    assert organiser.get(f"/people/{pat.id}/recognition/expense").status_code == 200


def test_taking_less_shows_their_note_on_the_form(app, world):
    pat = world["pat"]
    pat.benefits_agreement, pat.benefits_agreement_note = RecognitionAgreement.TAKE_LESS, "£15 a meeting at most."
    db.session.commit()
    page = text(signed_in(app, world["organiser"]).get(f"/people/{pat.id}/recognition/payment"))
    assert "They agreed: Take less than the usual payment. Note: £15 a meeting at most." in page


# --- ESA permitted work -------------------------------------------------------------------------------------

def test_an_esa_persons_first_payment_shows_the_reminder_and_queues_one_easy_read_message(app, world):
    pat = world["pat"]
    pat.information_format = InformationFormat.EASY_READ
    gets(pat, BenefitKind.ESA, "Permitted work: higher limit")
    organiser = signed_in(app, world["organiser"])
    url = f"/people/{pat.id}/recognition/payment"
    assert ESA_REMINDER in text(organiser.get(url))
    assert ESA_REMINDER not in text(organiser.get(f"/people/{pat.id}/recognition/expense"))
    typed = {"group": str(world["group"].id), "activity": "Reading", "activity_on": "2026-12-02", "basis": "half_day"}
    response = organiser.submit(url, typed, follow_redirects=True)
    assert ESA_REMINDER in text(response)
    assert organiser.submit(url, {**typed, "activity_on": "2026-12-09"}).status_code == 302
    messages = db.session.scalars(select(Message)).all()
    assert [(m.kind, m.dedupe_key, m.to) for m in messages] == [
        (MessageKind.PERMITTED_WORK, f"permitted_work:p{pat.id}", "pat@example.org")]
    assert ESA_REMINDER not in text(organiser.get(url))  # no longer their first
    with smtp_server() as server:
        sender.send_due(SMTPTransport("127.0.0.1", server.port, sender="hub@halton.example"), worker_id="test")
        [mail] = server.messages
    assert mail["Subject"] == "Before your first payment: the permitted work form"
    body = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert body.startswith("Hello Pat\n") and "The form is called PW1. It is about permitted work." in body
    assert "To stop messages like this:" in body


def test_no_reminder_once_the_form_date_is_recorded(app, world):
    pat = world["pat"]
    pat.permitted_work_form_on = date(2026, 11, 1)
    gets(pat, BenefitKind.ESA, "Permitted work: higher limit")
    assert not benefits.needs_permitted_work_form(pat, RecognitionKind.PAYMENT)


# --- A person's benefits page -------------------------------------------------------------------------------

def test_benefits_page_needs_consent_saves_audits_looks_and_withdrawal_deletes(app, world):
    pat = world["pat"]
    pat.benefits_consent_at = None
    db.session.commit()
    organiser = signed_in(app, world["organiser"])
    url = f"/people/{pat.id}/benefits"
    assert "Their benefits, what they agreed, and earnings per week" in text(organiser.get(f"/people/{pat.id}"))
    page = text(organiser.get(url))
    assert "They agreed we can record which benefits they get" in page
    assert count(AuditEvent, AuditEvent.action == "view-benefits", AuditEvent.record_id == str(pat.id)) == 1
    response = organiser.submit(f"{url}/save", {"benefits": "esa", "uc_assessment_day": "12"}, token_from=url)
    assert response.status_code == 400
    assert "Tick that they agreed we can record which benefits they get, or nothing can be saved." in text(response)
    assert count(PersonBenefit) == 0
    response = organiser.submit(f"{url}/save", {"benefits": "esa", "uc_assessment_day": "40"}, token_from=url)
    assert "Enter the assessment day as a number from 1 to 31." in text(response)

    response = organiser.submit(f"{url}/save", {
        "consent": "y", "benefits": ["esa", "universal_credit"], "limit_esa": "Permitted work: lower limit",
        "uc_assessment_day": "12", "agreement": "take_less", "agreement_note": "Up to £20 a week",
        "permitted_work_form_on": "2026-11-20"}, token_from=url)
    assert response.status_code == 302
    db.session.refresh(pat)
    assert pat.benefits_consent_at is not None and pat.uc_assessment_day == 12
    assert (pat.benefits_agreement, pat.permitted_work_form_on) == (RecognitionAgreement.TAKE_LESS, date(2026, 11, 20))
    assert dict(db.session.execute(select(PersonBenefit.benefit, PersonBenefit.limit_name)).all()) == {
        BenefitKind.ESA: "Permitted work: lower limit", BenefitKind.UNIVERSAL_CREDIT: ""}
    assert count(AuditEvent, AuditEvent.record_type == "PersonBenefit", AuditEvent.action == "create") == 2

    response = organiser.submit(f"{url}/save", {"benefits": ["esa"]}, token_from=url)
    assert response.status_code == 302
    db.session.refresh(pat)
    assert count(PersonBenefit) == 0 and pat.benefits_consent_at is None and pat.uc_assessment_day is None
    assert count(AuditEvent, AuditEvent.record_type == "PersonBenefit", AuditEvent.action == "delete") == 2


def test_benefits_page_shows_totals_per_week_against_limits(app, world):
    pat = world["pat"]
    gets(pat, BenefitKind.CARERS_ALLOWANCE)
    monday = london_today() - timedelta(days=london_today().weekday())
    line(world, 20000, monday)
    line(world, 3000, monday, kind=RecognitionKind.EXPENSE, expense_type=ExpenseType.FARES)
    page = signed_in(app, world["organiser"]).get(f"/people/{pat.id}/benefits")
    assert "£200.00" in words(page) and "Carer's Allowance earnings limit: £196.00 Over" in words(page)
    weeks, month = benefits.recent_periods(pat, london_today())
    assert len(weeks) == 8 and weeks[0].total_pence == 20000 and weeks[0].limits[0][1] is True
    assert month.total_pence == (20000 if month.start <= monday else 0)


# --- Admin: limits are data ---------------------------------------------------------------------------------

def test_admin_adds_limits_with_plain_errors_and_a_newer_one_replaces_the_older(app, world):
    admin = signed_in(app, world["admin"])
    url = "/admin/benefit-limits/new"
    response = admin.submit(url, {})
    page = text(response)
    assert response.status_code == 400
    for message in ("Choose the benefit this limit is for.", "Enter the name of the limit.",
                    "Choose whether the limit is for a week or an assessment month.",
                    "Enter the limit in pounds and pence, like 196 or 195.50.",
                    "Enter the date this limit applies from.", "Say where the figure came from, like the GOV.UK page."):
        assert message in page
    typed = {"benefit": "carers_allowance", "name": "Carer's Allowance earnings limit", "period": "week",
             "amount": "204.00", "applies_from": "2026-04-06", "source": "GOV.UK rates 2026 to 2027"}
    assert admin.submit(url, typed).status_code == 302
    response = admin.submit(url, typed)
    assert "There is already a limit with this name for this benefit from that date. Choose another date." in \
        text(response)
    response = admin.submit(url, {**typed, "applies_from": "2026-05-01", "period": "month"})
    assert "This limit is for a week. Choose a week, or give the new limit another name." in text(response)
    assert response.status_code == 400
    page = text(admin.get("/admin/benefit-limits"))
    assert "£204.00" in page and "Replaced by a newer figure" in page and "GOV.UK rates 2026 to 2027" in page
    assert count(BenefitLimit, BenefitLimit.benefit == BenefitKind.CARERS_ALLOWANCE) == 2


def test_admin_is_told_when_the_limits_may_be_out_of_date(app, world):
    admin = signed_in(app, world["admin"])
    warning = "These limits may be out of date. They change each April: check GOV.UK and add the new ones."
    april = benefits.last_april_6(london_today())
    db.session.execute(BenefitLimit.__table__.update().values(applies_from=april - timedelta(days=30)))
    db.session.commit()
    assert warning in text(admin.get("/admin/benefit-limits"))
    limit(BenefitKind.CARERS_ALLOWANCE, "Carer's Allowance earnings limit", 20400, applies_from=april)
    db.session.commit()
    assert warning not in text(admin.get("/admin/benefit-limits"))


def test_the_limits_page_takes_the_same_queries_however_many_limits(app, world):
    admin = signed_in(app, world["admin"])
    admin.get("/admin/benefit-limits")
    with count_queries() as few:
        admin.get("/admin/benefit-limits")
    for year in range(2015, 2025):
        limit(BenefitKind.HOUSING_BENEFIT, "Earnings disregard", 500 + year, applies_from=date(year, 4, 6))
    db.session.commit()
    with count_queries() as many:
        admin.get("/admin/benefit-limits")
    assert many["n"] == few["n"]


@pytest.mark.parametrize("role,url,method", [
    ("finance", "/people/{pid}/benefits", "get"), ("finance", "/people/{pid}/benefits/save", "post"),
    ("organiser", "/admin/benefit-limits", "get"), ("organiser", "/admin/benefit-limits/new", "get"),
    ("finance", "/admin/benefit-limits/new", "post")])
def test_the_wrong_role_gets_403(app, world, role, url, method):
    client = signed_in(app, world[role])
    home = "/finance/" if role == "finance" else f"/people/{world['pat'].id}"
    response = getattr(client, method)(url.format(pid=world["pat"].id),
                                       data={"csrf_token": client.csrf_token(home)} if method == "post" else None)
    assert response.status_code == 403
    assert count(AuditEvent, AuditEvent.action == "view-benefits") == 0


# --- Erasure and merging ------------------------------------------------------------------------------------

def test_erasing_a_person_removes_what_they_told_us_about_benefits(app, world):
    from survey_app.privacy.erasure import erase_person

    pat = world["pat"]
    pat.uc_assessment_day, pat.benefits_agreement_note = 12, "Takes £20 at most"
    gets(pat, BenefitKind.CARERS_ALLOWANCE)
    db.session.execute(AuditEvent.__table__.insert().values(
        action="create", record_type="PersonBenefit", record_id="1",
        after={"person_id": pat.id, "benefit": "carers_allowance", "limit_name": ""}))
    warned = line(world, 20000, date(2026, 12, 2), benefits_warning="Over the limit for Pat Jones",
                  benefits_reason="She knows")
    erase_person(pat, by=world["admin"])
    db.session.commit()
    db.session.refresh(pat)
    db.session.refresh(warned)
    assert count(PersonBenefit) == 0 and pat.benefits_consent_at is None and pat.uc_assessment_day is None
    assert pat.benefits_agreement_note == "" and (warned.benefits_warning, warned.benefits_reason) == ("", "")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.record_type == "PersonBenefit"))
    assert event.after == {"person_id": pat.id}


def test_merging_two_records_keeps_their_benefits(app, world):
    from survey_app.participation import merging

    pat = world["pat"]
    gets(pat, BenefitKind.ESA, "Permitted work: higher limit")
    keep = Person(first_name="Pat", last_name="Jones", contact_method=ContactMethod.PHONE, phone="07700 900555",
                  information_format=InformationFormat.STANDARD, role=PersonRole.CARER)
    keep.refresh_search_name()
    db.session.add(keep)
    db.session.flush()
    gets(keep, BenefitKind.ESA)
    pat.uc_assessment_day = 9
    gets(pat, BenefitKind.UNIVERSAL_CREDIT)
    merging.merge(keep.id, pat.id, by=world["organiser"])
    db.session.commit()
    db.session.refresh(keep)
    assert keep.benefits_consent_at is not None and keep.uc_assessment_day == 9
    assert dict(db.session.execute(select(PersonBenefit.benefit, PersonBenefit.limit_name)
                                   .where(PersonBenefit.person_id == keep.id)).all()) == {
        BenefitKind.ESA: "", BenefitKind.UNIVERSAL_CREDIT: ""}
