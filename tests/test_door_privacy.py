"""Issue 12, sections 1, 2 and 4 (first bullet): the shared tablet shows and changes nothing stored about
whoever signs in, gives names away only by first name and initial, a few at a time, and asks "Have you
been here before?" before making a second record of someone."""
import base64
import contextlib
import json
from datetime import timedelta

from sqlalchemy import func, select

from survey_app.door import signin
from survey_app.models import (
    AccessNeed,
    Attendance,
    AttendanceStatus,
    AuditEvent,
    ContactMethod,
    InformationFormat,
    Meeting,
    MeetingMode,
    NeedKind,
    Person,
    PersonRole,
    RateHit,
)
from survey_app.participation import taking_part
from survey_app.web.extensions import db
from tests.door_helpers import hidden, picks
from tests.door_helpers import register as register_at_door

TOO_MANY = "Please ask a member of staff to help you sign in."
NOT_FOUND = "We could not find that name. If you are new, press I'm new here. Or ask a member of staff to help you."
MANY = "Many people have a name like that. Type more of your first name, or ask a member of staff to help you."


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def person(first, last, meeting=None, status=AttendanceStatus.INVITED, **values):
    p = Person(first_name=first, last_name=last, contact_method=ContactMethod.EMAIL,
               information_format=InformationFormat.STANDARD, role=PersonRole.LIVED_EXPERIENCE, **values)
    p.refresh_search_name()
    db.session.add(p)
    db.session.flush()
    if meeting is not None:
        db.session.add(Attendance(meeting_id=meeting.id, person_id=p.id, status=status))
    db.session.commit()
    return p


def names(door, typed):
    page = door.submit("/door/sign-in", {"name": typed}).get_data(as_text=True)
    return sorted(name.strip() for _, name in picks(page))


def sign_in(door, typed="dor"):
    page = door.submit("/door/sign-in", {"name": typed}).get_data(as_text=True)
    pick, _ = picks(page)[0]
    page = door.post("/door/sign-in/check", data={"csrf_token": hidden(page, "csrf_token"), "pick": pick})
    page = page.get_data(as_text=True)
    data = {"csrf_token": hidden(page, "csrf_token"), "pick": pick, "form_token": hidden(page, "form_token")}
    return data, door.post("/door/sign-in/confirm", data=data)


def other_meeting(sample, group=None, days=-30):
    start = sample["meeting"].starts_at + timedelta(days=days)
    m = Meeting(group=group or sample["group"], title="Earlier", purpose="", starts_at=start,
                ends_at=start + timedelta(hours=1), mode=MeetingMode.IN_PERSON, venue_name="Halton Lea")
    db.session.add(m)
    db.session.commit()
    return m


REGISTER = {"first_name": "Ana", "last_name": "Costa", "role": "carer", "contact_method": "text",
            "phone": "07700 900999", "information_format": "easy_read", "consent": "y"}


def register(door, **changes):
    return register_at_door(door, {**REGISTER, **changes})


# --- Section 1: signing in as someone else shows and changes nothing stored -------------------------------------

def test_the_door_support_page_starts_empty_and_only_adds(door, sample):
    pid, mid = sample["person"].id, sample["meeting"].id
    db.session.add_all([AccessNeed(person_id=pid, kind=NeedKind.OTHER, detail="insulin fridge"),
                        AccessNeed(person_id=pid, kind=NeedKind.BSL, detail="")])
    db.session.commit()
    sign_in(door)
    page = door.get("/door/support").get_data(as_text=True)
    assert "We have your support needs from before. Tick anything more you need today." in page
    assert "insulin fridge" not in page and " checked" not in page
    response = door.submit("/door/support", {"need_hearing_loop": "y", "remember": "no"})
    assert response.headers["Location"] == "/door/thanks"
    needs = db.session.scalars(select(AccessNeed).order_by(AccessNeed.id)).all()
    assert [(n.kind, n.detail, n.meeting_id, n.ended_at) for n in needs] == [
        (NeedKind.OTHER, "insulin fridge", None, None), (NeedKind.BSL, "", None, None),
        (NeedKind.HEARING_LOOP, "", mid, None)]
    # "For future meetings too" adds a standing need and never ends or rewrites one on file.
    sign_in(door)
    door.submit("/door/support", {"need_other": "y", "other_detail": "A quiet room", "need_food": "y",
                                  "food_detail": "Halal", "remember": "yes"})
    needs = db.session.scalars(select(AccessNeed).order_by(AccessNeed.id)).all()
    assert [(n.kind, n.detail, n.meeting_id, n.ended_at) for n in needs] == [
        (NeedKind.OTHER, "insulin fridge", None, None), (NeedKind.BSL, "", None, None),
        (NeedKind.HEARING_LOOP, "", mid, None), (NeedKind.FOOD, "Halal", None, None),
        (NeedKind.OTHER, "A quiet room", mid, None)]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "door-needs")
                                .order_by(AuditEvent.id)).all()
    assert [(e.user_id, e.record_type, e.record_id, e.after) for e in events] == [
        (None, "Person", str(pid), {"meeting_id": mid, "added": ["hearing_loop"], "remember": False}),
        (None, "Person", str(pid), {"meeting_id": mid, "added": ["food", "other"], "remember": True})]


def test_nothing_on_file_says_nothing_and_no_need_writes_no_audit(door, sample):
    sign_in(door)
    page = door.get("/door/support").get_data(as_text=True)
    assert "We have your support needs from before" not in page
    assert door.get("/door/thanks").status_code == 200
    assert count(AuditEvent, AuditEvent.action == "door-needs") == 0


def test_thank_you_choice_is_only_for_someone_who_registered_in_this_visit(door, sample):
    sign_in(door)
    assert door.get("/door/thank-you-choice").headers["Location"] == "/door/support"
    token = door.csrf_token("/door/support")
    response = door.post("/door/thank-you-choice", data={"csrf_token": token, "preference": "paid",
                                                         "benefits_check": "y"})
    assert response.status_code == 302 and response.headers["Location"] == "/door/support"
    dorota = db.session.get(Person, sample["person"].id)
    assert (dorota.recognition_preference, dorota.benefits_check) == (None, False)
    door.submit("/door/start-again", {}, token_from="/door/")
    assert register(door).headers["Location"] == "/door/thank-you-choice"
    assert door.get("/door/thank-you-choice").status_code == 200


def test_the_search_finds_only_people_connected_to_the_meetings_group(door, sample):
    earlier = other_meeting(sample)
    elsewhere = other_meeting(sample, group=type(sample["group"])(name="Carers Forum", description="",
                                                                   organisation=sample["organisation"]))
    person("Dora", "Attended", earlier, AttendanceStatus.ATTENDED)
    person("Dorian", "Registered", earlier, AttendanceStatus.REGISTERED)
    person("Dorothy", "Elsewhere", elsewhere, AttendanceStatus.ATTENDED)
    person("Doreen", "Unknown")
    assert names(door, "dor") == ["Dora A.", "Dorian R.", "Dorota N."]
    page = door.submit("/door/sign-in", {"name": "doreen"}).get_data(as_text=True)
    assert picks(page) == [] and NOT_FOUND in page and "I'm new here" in page


def test_every_door_sign_in_and_registration_is_audited_once(door, sample):
    data, response = sign_in(door)
    assert response.headers["Location"] == "/door/support"
    for _ in range(2):  # a double tap: one sign-in, one audit row
        door.post("/door/sign-in/confirm", data=data)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "door-sign-in")).all()
    assert [(e.user_id, e.record_type, e.record_id, e.after) for e in events] == [
        (None, "Person", str(sample["person"].id), {"meeting_id": sample["meeting"].id})]
    door.submit("/door/start-again", {}, token_from="/door/")
    register(door)
    ana = db.session.scalar(select(Person).where(Person.first_name == "Ana"))
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "door-register")).all()
    assert [(e.user_id, e.record_id, e.after) for e in events] == [(None, str(ana.id),
                                                                     {"meeting_id": sample["meeting"].id})]


def test_door_events_read_well_in_the_audit_log(door, app, sample, make_user):
    from survey_app.models import Role
    from tests.conftest import PASSWORD

    sign_in(door)
    staff = app.test_client()
    staff.submit("/login", {"email": make_user(Role.ADMIN).email, "password": PASSWORD})
    page = staff.get("/admin/audit").get_data(as_text=True)
    assert "Signed in at the door" in page and f"meeting_id: {sample['meeting'].id}" in page


# --- Section 2: names cannot be read off the tablet --------------------------------------------------------------

def test_only_the_first_name_and_the_surname_initial_count(door, sample):
    hannah = other_meeting(sample)
    person("Hannah", "Brennan", hannah)
    person("Hannah", "Brown", hannah)
    person("Hannah", "Smith", hannah)
    person("Brenda", "Hall", hannah)
    assert names(door, "Hannah") == ["Hannah B.", "Hannah B.", "Hannah S."]
    assert names(door, "Hannah B") == ["Hannah B.", "Hannah B."]
    # More letters of the surname cannot narrow what the initial found.
    for typed in ("Hannah Br", "Hannah Bre", "Hannah Brennan", "hannah brown", "Hannah Bx"):
        assert names(door, typed) == ["Hannah B.", "Hannah B."], typed
    # A surname alone is read as a first name.
    assert names(door, "Brennan") == [] and names(door, "Bren") == ["Brenda H."]
    assert names(door, "Smith") == []


def test_participation_door_search_terms():
    assert taking_part.door_search_terms("  HANNAH   Brennan ") == ("hannah", "b")
    assert taking_part.door_search_terms("Mary Ann B") == ("mary ann", "b")
    assert taking_part.door_search_terms("Renée") == ("renée", None)


def test_more_than_six_matches_show_no_names(door, sample):
    earlier = other_meeting(sample)
    for i in range(7):
        person("Sam", f"Zed{i}", earlier)
    page = door.submit("/door/sign-in", {"name": "sam"}).get_data(as_text=True)
    assert picks(page) == [] and MANY in page
    person("Samira", "Ali", earlier)
    assert names(door, "sami") == ["Samira A."]


def test_searches_are_limited_per_visit_and_per_tablet(door, sample):
    for _ in range(signin.SEARCHES_PER_VISIT.count):
        assert door.submit("/door/sign-in", {"name": "dor"}).status_code == 200
    response = door.submit("/door/sign-in", {"name": "Dorota N"})
    page = response.get_data(as_text=True)
    assert response.status_code == 429 and TOO_MANY in page and 'value="Dorota N"' in page
    assert picks(page) == []
    # A new visit may search again, until the tablet's share is used up.
    used = signin.SEARCHES_PER_VISIT.count
    while used < signin.SEARCHES_PER_TABLET.count:
        door.submit("/door/start-again", {}, token_from="/door/")
        for _ in range(min(signin.SEARCHES_PER_VISIT.count, signin.SEARCHES_PER_TABLET.count - used)):
            assert door.submit("/door/sign-in", {"name": "dor"}).status_code == 200
            used += 1
    door.submit("/door/start-again", {}, token_from="/door/")
    response = door.submit("/door/sign-in", {"name": "dor"})
    assert response.status_code == 429 and TOO_MANY in response.get_data(as_text=True)
    assert count(RateHit, RateHit.name == "door-search-tablet") == signin.SEARCHES_PER_TABLET.count


def test_a_pick_shows_no_id_in_any_decoding(door, sample):
    page = door.submit("/door/sign-in", {"name": "dor"}).get_data(as_text=True)
    pick, _ = picks(page)[0]
    pid, mid = str(sample["person"].id), str(sample["meeting"].id)
    readings = [pick]
    for part in pick.split("."):
        for pad in range(3):
            with contextlib.suppress(ValueError):
                readings.append(base64.urlsafe_b64decode(part + "=" * pad).decode("latin-1"))
    for text in readings:
        assert '"p":' not in text and '"m":' not in text and f":{pid}," not in text and f":{mid}," not in text
        with contextlib.suppress(ValueError):
            assert not isinstance(json.loads(text), dict)
    # Two searches give two different picks for the same person.
    again, _ = picks(door.submit("/door/sign-in", {"name": "dor"}).get_data(as_text=True))[0]
    assert again != pick


def test_a_changed_old_or_other_meetings_pick_signs_nobody_in(app, door, sample):
    import time as clock

    from survey_app.participation import seal

    page = door.submit("/door/sign-in", {"name": "dor"}).get_data(as_text=True)
    pick, _ = picks(page)[0]
    flipped = pick[:-3] + ("A" if pick[-3] != "A" else "B") + pick[-2:]
    pid, mid = sample["person"].id, sample["meeting"].id
    with app.test_request_context():
        old = seal.seal({"p": pid, "m": mid, "t": int(clock.time()) - signin.PICK_MAX_AGE - 5})
        elsewhere = seal.seal({"p": pid, "m": mid + 1, "t": int(clock.time())})
    other_key = seal.seal({"p": pid, "m": mid, "t": int(clock.time())}, secret_key="another server's key")
    for bad in (flipped, old, elsewhere, other_key, "", "é", "AAAA"):
        response = door.post("/door/sign-in/check", data={"csrf_token": hidden(page, "csrf_token"), "pick": bad})
        assert response.headers["Location"] == "/door/sign-in", bad
    assert door.post("/door/sign-in/check", data={"csrf_token": hidden(page, "csrf_token"),
                                                  "pick": pick}).status_code == 200
    assert count(Attendance, Attendance.status == AttendanceStatus.ATTENDED) == 0


# --- Section 4, first bullet: "Have you been here before?" ------------------------------------------------------

def test_registering_again_asks_have_you_been_here_before(door, sample):
    earlier = other_meeting(sample)
    person("Ana", "Costa", earlier, phone="07700 900999", email="ana@example.org")
    response = register(door, first_name="ANA", last_name="cósta".replace("ó", "o"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Have you been here before?" in page
    assert "Yes, sign me in" in page and 'href="/door/sign-in"' in page and "No, I am new" in page
    assert "ana@example.org" not in page  # nothing of theirs is shown
    assert "ANA" not in page and "07700 900999" not in page  # the answers stay in the visit, not in the page
    assert count(Person) == 2
    data = {"csrf_token": hidden(page, "csrf_token"), "form_token": hidden(page, "form_token"), "new_here": "yes"}
    response = door.post("/door/new/check", data=data)
    assert response.headers["Location"] == "/door/thank-you-choice"
    assert count(Person) == 3
    assert db.session.scalar(select(Person).where(Person.first_name == "ANA")).phone == "07700 900999"
    assert door.post("/door/new/check", data=data).status_code == 302 and count(Person) == 3  # a double tap


def test_a_different_phone_or_someone_from_another_group_is_simply_registered(door, sample):
    earlier = other_meeting(sample)
    person("Ana", "Costa", earlier, phone="07700 111111")
    assert register(door).headers["Location"] == "/door/thank-you-choice"
    door.submit("/door/start-again", {}, token_from="/door/")
    person("Ben", "Okafor")  # not connected to this group
    response = register(door, first_name="Ben", last_name="Okafor", phone="07700 222222")
    assert response.headers["Location"] == "/door/thank-you-choice"


def test_the_same_name_with_no_contact_given_asks_too(door, sample):
    earlier = other_meeting(sample)
    person("Ana", "Costa", earlier)
    response = register(door, contact_method="post", phone="", address="1 High Street")
    assert "Have you been here before?" in response.get_data(as_text=True)
    assert count(Person) == 2


def test_searches_are_limited_per_address_across_tablets_and_visits(app, door, sample):
    app.config["DOOR_SEARCHES_PER_ADDRESS"] = 3
    for _ in range(3):
        assert door.submit("/door/sign-in", {"name": "dor"}).status_code == 200
        door.submit("/door/start-again", {}, token_from="/door/")
    response = door.submit("/door/sign-in", {"name": "dor"})
    assert response.status_code == 429 and TOO_MANY in response.get_data(as_text=True)
    assert count(RateHit, RateHit.name == "door-search-address") == 3


def test_an_organiser_adds_someone_to_the_meeting_and_then_the_door_finds_them(app, door, sample, make_user):
    from survey_app.models import Role
    from tests.conftest import PASSWORD

    newcomer = person("Doris", "Jones")
    assert names(door, "doris") == []
    staff = app.test_client()
    staff.submit("/login", {"email": make_user(Role.ORGANISER).email, "password": PASSWORD})
    mid = sample["meeting"].id
    response = staff.submit(f"/meetings/{mid}/invitations/add", {"person_id": str(newcomer.id)},
                            token_from=f"/meetings/{mid}/invitations")
    assert response.status_code == 302
    assert db.session.scalar(select(Attendance.status).where(Attendance.person_id == newcomer.id)) \
        == AttendanceStatus.INVITED
    assert names(door, "doris") == ["Doris J."]
