"""The door tablet: door mode, sign-in, registration, support needs, suggestions, thank-you reset."""
import time
from datetime import timedelta

from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import delete, func, select

from survey_app.models import (
    AccessNeed,
    Attendance,
    AttendanceStatus,
    FormToken,
    NeedKind,
    Person,
    Role,
    StaffSession,
    Suggestion,
    SuggestionStatus,
)
from survey_app.models.base import utcnow
from survey_app.participation import kiosk
from survey_app.web.extensions import db
from tests.conftest import PASSWORD
from tests.door_helpers import assert_small, hidden, picks, register, start_door_mode


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def attended():
    """Attendance rows marked attended (the door fixture's invitation is one row already)."""
    return db.session.scalar(select(func.count()).select_from(Attendance)
                             .where(Attendance.status == AttendanceStatus.ATTENDED))


def sign_in_as(door, typed="dor"):
    page = door.submit("/door/sign-in", {"name": typed}).get_data(as_text=True)
    pick, _ = picks(page)[0]
    page = door.post("/door/sign-in/check", data={"csrf_token": hidden(page, "csrf_token"), "pick": pick})
    page = page.get_data(as_text=True)
    return door.post("/door/sign-in/confirm", data={"csrf_token": hidden(page, "csrf_token"), "pick": pick,
                                                    "form_token": hidden(page, "form_token")})


def test_starting_door_mode_signs_the_organiser_out(door):
    assert db.session.scalar(select(StaffSession.ended_at).where(
        StaffSession.user_id == door.organiser.id)) is not None
    response = door.get("/dashboard")
    assert response.status_code == 302 and response.headers["Location"] == "/door/"


def test_door_mode_browser_reaches_no_staff_page(app, door, sample):
    other = sample["meeting"].id + 1000
    for rule in app.url_map.iter_rules():
        if rule.endpoint in ("static", "auth.health") or rule.endpoint.startswith("door.") \
                or "GET" not in rule.methods:
            continue
        url = rule.build(dict.fromkeys(rule.arguments, other), append_unknown=False)[1]
        response = door.get(url)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert response.headers["Location"] == "/door/", url
    for url in ("/login", "/admin/users", f"/meetings/{sample['meeting'].id}", f"/people/{sample['person'].id}"):
        assert door.get(url).headers["Location"] == "/door/"


def test_door_pages_are_only_for_the_tablet(client, sample):
    for url in ("/door/", "/door/sign-in", "/door/new", "/door/new/name", "/door/new/check", "/door/support",
                "/door/suggest", "/door/checklist"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "You cannot see this page" in response.get_data(as_text=True)


def test_welcome_shows_the_meeting_and_big_choices(door, sample):
    page = door.get("/door/").get_data(as_text=True)
    assert "Health checks" in page and "Runcorn Library" in page
    for words in ("Sign in", "I'm new here", "Suggest something to talk about", "Polski", "العربية",
                  "Bigger text", "High contrast"):
        assert words in page
    assert "Tell us how it went" not in page  # the meeting starts later today


def test_checklist_button_shows_from_the_start_or_when_opened(app, door, sample):
    from survey_app.participation import kiosk

    sample["meeting"].checklist_open = True
    db.session.commit()
    kiosk.forget_meeting(sample["meeting"].id)
    assert "Tell us how it went" in door.get("/door/").get_data(as_text=True)
    sample["meeting"].checklist_open = False
    sample["meeting"].starts_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    kiosk.forget_meeting(sample["meeting"].id)
    assert "Tell us how it went" in door.get("/door/").get_data(as_text=True)


def test_name_search_needs_two_letters_and_shows_first_name_and_initial_only(door, sample):
    response = door.submit("/door/sign-in", {"name": "d"})
    assert response.status_code == 400
    assert "Type at least 2 letters of your name." in response.get_data(as_text=True)
    page = door.submit("/door/sign-in", {"name": "do"}).get_data(as_text=True)
    assert [name.strip() for _, name in picks(page)] == ["Dorota N."]
    assert "Nowak" not in page and "07700" not in page
    assert len(hidden(page, "pick")) > 30  # a signed, expiring stand-in, not the person's id
    page = door.submit("/door/sign-in", {"name": "zz"}).get_data(as_text=True)
    assert picks(page) == [] and "We could not find that name." in page


def test_signing_in_marks_attendance_once_however_often_it_is_pressed(door, sample):
    page = door.submit("/door/sign-in", {"name": "dor"}).get_data(as_text=True)
    pick, _ = picks(page)[0]
    confirm = door.post("/door/sign-in/check", data={"csrf_token": hidden(page, "csrf_token"), "pick": pick})
    confirm = confirm.get_data(as_text=True)
    assert "Is this you?" in confirm and "Dorota N." in confirm
    data = {"csrf_token": hidden(confirm, "csrf_token"), "pick": pick, "form_token": hidden(confirm, "form_token")}
    for _ in range(3):
        response = door.post("/door/sign-in/confirm", data=data)
        assert response.status_code == 302 and response.headers["Location"] == "/door/support"
    attendance = db.session.scalar(select(Attendance))
    assert count(Attendance) == 1
    assert attendance.status == AttendanceStatus.ATTENDED and attendance.signed_in_at is not None


def test_an_invited_person_signing_in_becomes_attended(door, sample):
    assert db.session.scalar(select(Attendance.status)) == AttendanceStatus.INVITED  # the door fixture's
    sign_in_as(door)
    assert db.session.scalar(select(Attendance.status)) == AttendanceStatus.ATTENDED


def test_a_tampered_pick_signs_nobody_in(door, sample):
    token = door.csrf_token("/door/sign-in")
    response = door.post("/door/sign-in/check", data={"csrf_token": token, "pick": f"{sample['person'].id}"})
    assert response.headers["Location"] == "/door/sign-in"
    response = door.post("/door/sign-in/confirm", data={"csrf_token": token, "pick": "x", "form_token": "a" * 20})
    assert response.headers["Location"] == "/door/sign-in"
    assert attended() == 0


def test_a_missing_wrong_or_expired_csrf_token_on_the_confirm_signs_nobody_in(app, door, sample):
    page = door.submit("/door/sign-in", {"name": "dor"}).get_data(as_text=True)
    pick, _ = picks(page)[0]
    page = door.post("/door/sign-in/check", data={"csrf_token": hidden(page, "csrf_token"), "pick": pick})
    page = page.get_data(as_text=True)
    with door.session_transaction() as sess:
        raw = sess["csrf_token"]

    class NineHoursAgo(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - 9 * 3600  # past WTF_CSRF_TIME_LIMIT (8 hours)

    expired = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token", signer=NineHoursAgo).dumps(raw)
    data = {"pick": pick, "form_token": hidden(page, "form_token")}
    for csrf in ("", "tampered", expired):
        response = door.post("/door/sign-in/confirm", data={**data, "csrf_token": csrf})
        assert response.status_code == 302 and response.headers["Location"] == "/door/sign-in", csrf
    # A good token but, on HTTPS, a Referer from another site: refused as well.
    response = door.post("/door/sign-in/confirm", data={**data, "csrf_token": hidden(page, "csrf_token")},
                         base_url="https://localhost", headers={"Referer": "https://elsewhere.example/"})
    assert response.status_code == 302 and response.headers["Location"] == "/door/sign-in"
    assert attended() == 0 and count(FormToken) == 0
    response = door.post("/door/sign-in/confirm", data={**data, "csrf_token": hidden(page, "csrf_token")})
    assert response.headers["Location"] == "/door/support" and attended() == 1


def test_a_person_removed_after_the_pick_is_sent_back_to_the_search(door, sample):
    page = door.submit("/door/sign-in", {"name": "dor"}).get_data(as_text=True)
    pick, _ = picks(page)[0]
    page = door.post("/door/sign-in/check", data={"csrf_token": hidden(page, "csrf_token"), "pick": pick})
    page = page.get_data(as_text=True)
    db.session.execute(delete(Attendance))  # e.g. retention ran meanwhile
    db.session.delete(db.session.get(Person, sample["person"].id))
    db.session.commit()
    response = door.post("/door/sign-in/confirm", data={"csrf_token": hidden(page, "csrf_token"), "pick": pick,
                                                        "form_token": hidden(page, "form_token")})
    assert response.status_code == 302 and response.headers["Location"] == "/door/sign-in"
    assert count(Attendance) == 0
    assert count(FormToken) == 0  # the whole attempt was rolled back


def test_registering_says_what_is_missing(door):
    """One page at a time, each with its own message (tests/test_door_register.py has every page)."""
    response = register(door, {})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Type your first name." in page and "Type your last name." in page
    assert "Choose who you are in the group." not in page  # the next page's question is not asked yet
    response = register(door, {"first_name": "Ana", "last_name": "Costa", "role": "carer", "contact_method": "text"})
    assert "Type your phone number, or choose another way to contact you." in response.get_data(as_text=True)
    assert count(Person) == 1


def test_registering_creates_the_person_signs_them_in_once(door, sample):
    register(door, {"first_name": "Ana", "last_name": "Costa", "role": "carer", "contact_method": "text",
                    "phone": "07700 900999", "information_format": "easy_read", "consent": "y"}, save=False)
    page = door.get("/door/new/check").get_data(as_text=True)
    data = {"csrf_token": hidden(page, "csrf_token"), "form_token": hidden(page, "form_token")}
    first = door.post("/door/new/check", data=data)
    again = door.post("/door/new/check", data=data)
    assert first.headers["Location"] == "/door/thank-you-choice" and again.status_code == 302
    ana = db.session.scalar(select(Person).where(Person.first_name == "Ana"))
    assert count(Person) == 2 and ana.consent_at is not None and ana.search_name == "ana costa"
    assert db.session.scalars(select(Attendance.person_id).where(Attendance.status == AttendanceStatus.ATTENDED)
                              ).all() == [ana.id]


def test_support_needs_for_this_meeting_or_remembered(door, sample):
    # Issue 12 changed this: at the door needs are only added, never shown, replaced or ended
    # (tests/test_door_privacy.py has the details).
    sign_in_as(door)
    page = door.get("/door/support").get_data(as_text=True)
    assert "Do you need any support today?" in page
    assert "A British Sign Language interpreter" in page and "Help with travel or travel costs" in page
    response = door.submit("/door/support", {"need_bsl": "y", "need_food": "y",
                                             "food_detail": "Halal", "remember": "no"})
    assert response.headers["Location"] == "/door/thanks"
    needs = db.session.scalars(select(AccessNeed).order_by(AccessNeed.kind)).all()
    assert {(n.kind, n.detail, n.meeting_id) for n in needs} == {
        (NeedKind.BSL, "", sample["meeting"].id), (NeedKind.FOOD, "Halal", sample["meeting"].id)}
    sign_in_as(door)
    response = door.submit("/door/support", {"need_hearing_loop": "y", "remember": "yes"})
    standing = db.session.scalars(select(AccessNeed).where(AccessNeed.meeting_id.is_(None))).all()
    assert [(n.kind, n.ended_at) for n in standing] == [(NeedKind.HEARING_LOOP, None)]
    assert count(AccessNeed) == 3
    assert db.session.scalar(select(func.count()).select_from(AccessNeed).where(AccessNeed.ended_at.is_not(None))) == 0
    sign_in_as(door)
    page = door.get("/door/support").get_data(as_text=True)
    assert "checked" not in page and "We have your support needs from before." in page


def test_something_else_needs_words(door):
    sign_in_as(door)
    response = door.submit("/door/support", {"need_other": "y", "remember": "no"})
    assert response.status_code == 400
    assert "Tell us what else you need, or untick Something else." in response.get_data(as_text=True)
    assert count(AccessNeed) == 0


def test_support_page_needs_someone_signed_in(door):
    assert door.get("/door/support").headers["Location"] == "/door/sign-in"


def test_suggestion_is_stored_once_for_the_group_and_meeting(door, sample):
    page = door.get("/door/suggest").get_data(as_text=True)
    data = {"csrf_token": hidden(page, "csrf_token"), "form_token": hidden(page, "form_token"),
            "what": "Buses to the hospital", "why": "The 62 stopped running", "name": ""}
    assert door.post("/door/suggest", data=data).headers["Location"] == "/door/thanks"
    door.post("/door/suggest", data=data)
    suggestion = db.session.scalar(select(Suggestion))
    assert count(Suggestion) == 1
    assert (suggestion.group_id, suggestion.meeting_id, suggestion.status, suggestion.name, suggestion.source) == (
        sample["group"].id, sample["meeting"].id, SuggestionStatus.NEW, "", "door")
    response = door.submit("/door/suggest", {"what": "  "})
    assert "Tell us what you would like to talk about." in response.get_data(as_text=True)


def test_thanks_clears_the_visit_for_the_next_person(door):
    sign_in_as(door)
    door.submit("/door/language", {"lang": "pl"}, token_from="/door/")
    door.submit("/door/display", {"setting": "big"}, token_from="/door/")
    page = door.get("/door/thanks").get_data(as_text=True)
    assert 'lang="pl"' in page
    assert door.get("/door/support").headers["Location"] == "/door/sign-in"
    page = door.get("/door/").get_data(as_text=True)
    assert 'lang="en"' in page and "big-text" not in page


def test_language_and_display_choices(door):
    door.submit("/door/language", {"lang": "ar"}, token_from="/door/")
    page = door.get("/door/").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in page
    door.submit("/door/display", {"setting": "hc"}, token_from="/door/")
    assert "high-contrast" in door.get("/door/").get_data(as_text=True)
    door.submit("/door/language", {"lang": "klingon"}, token_from="/door/")
    assert '<html lang="ar"' in door.get("/door/").get_data(as_text=True)


def test_an_abandoned_visit_is_forgotten(door):
    sign_in_as(door)
    with door.session_transaction() as sess:
        sess["visit"] = {**sess["visit"], "at": sess["visit"]["at"] - kiosk.VISIT_IDLE_SECONDS + 30}
    assert door.get("/door/support").status_code == 200  # not yet
    with door.session_transaction() as sess:
        sess["visit"] = {**sess["visit"], "at": sess["visit"]["at"] - 60}
    assert door.get("/door/support").headers["Location"] == "/door/sign-in"


def test_start_again_clears_the_visit(door):
    sign_in_as(door)
    door.submit("/door/start-again", {}, token_from="/door/")
    assert door.get("/door/support").headers["Location"] == "/door/sign-in"


def test_personal_fields_are_never_cached_or_autocompleted(door):
    response = door.get("/door/new/name")
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert '<form method="post" novalidate autocomplete="off"' in page
    assert 'name="first_name" value="" autocomplete="off"' in page


def test_expired_token_on_the_door_keeps_what_was_typed(door):
    response = door.post("/door/suggest", data={"csrf_token": "old", "form_token": "f" * 24,
                                                "what": "Więcej spotkań online 🙂"})
    page = response.get_data(as_text=True)
    assert "This page was open for a long time" in page and "Więcej spotkań online 🙂" in page
    assert count(Suggestion) == 0


def test_leaving_door_mode_needs_an_organiser_login(door, make_user, sample):
    response = door.submit("/door/exit", {"email": door.organiser.email, "password": "wrong"})
    assert "The email address or password is not right." in response.get_data(as_text=True)
    finance = make_user(Role.FINANCE)
    response = door.submit("/door/exit", {"email": finance.email, "password": PASSWORD})
    assert "Only an organiser or an admin can end door mode." in response.get_data(as_text=True)
    assert door.get("/dashboard").headers["Location"] == "/door/"
    response = door.submit("/door/exit", {"email": door.organiser.email, "password": PASSWORD})
    assert response.headers["Location"] == f"/meetings/{sample['meeting'].id}"
    assert door.get("/dashboard").status_code == 200
    assert door.get("/door/").status_code == 403


def test_participant_pages_are_small(door, client):
    for url in ("/door/", "/door/sign-in", "/door/new/name", "/door/suggest"):
        assert_small(door, url)


def test_opening_the_checklist_reaches_the_tablet(app, client, login_as, make_user, sample):
    login_as(Role.ORGANISER)
    start_door_mode(client, sample["meeting"].id)
    staff = app.test_client()
    staff.submit("/login", {"email": make_user(Role.ADMIN).email, "password": PASSWORD})
    assert "Tell us how it went" not in client.get("/door/").get_data(as_text=True)
    response = staff.submit(f"/meetings/{sample['meeting'].id}/checklist", {},
                            token_from=f"/meetings/{sample['meeting'].id}")
    assert response.status_code == 302
    assert "Tell us how it went" in client.get("/door/").get_data(as_text=True)


def test_someone_new_says_how_they_would_like_to_be_thanked(door):
    register(door, {"first_name": "Ana", "last_name": "Costa", "role": "carer", "contact_method": "text",
                    "phone": "07700 900999", "information_format": "audio", "consent": "y"})
    response = door.submit("/door/thank-you-choice", {})
    assert "Choose how you would like us to thank you." in response.get_data(as_text=True)
    response = door.submit("/door/thank-you-choice", {"preference": "paid", "benefits_check": "y"})
    assert response.headers["Location"] == "/door/about-you"  # the optional equality form, then support
    ana = db.session.scalar(select(Person).where(Person.first_name == "Ana"))
    assert (ana.recognition_preference, ana.benefits_check) == ("paid", True)


def test_thank_you_choice_needs_someone_signed_in(door):
    assert door.get("/door/thank-you-choice").headers["Location"] == "/door/sign-in"
