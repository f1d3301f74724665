"""Issue 19, the server's side of the offline door tablet: the pack it keeps (names and stand-ins only, one-time
tokens, the ideas to vote for) and the sync of what it queued, each item saved once, in order, and anything
refused shown on the organiser's meeting page. Everything over HTTP, with the tablet in door mode."""
import json
import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from survey_app.models import (
    AccessNeed,
    Attendance,
    AttendanceStatus,
    AuditEvent,
    ChecklistChannel,
    ChecklistResponse,
    ContactMethod,
    EqualityCount,
    FormToken,
    InformationFormat,
    Meeting,
    NeedKind,
    OfflineSubmission,
    Person,
    PersonRole,
    Role,
    Suggestion,
    SuggestionVote,
)
from survey_app.models.base import utcnow
from survey_app.participation import offline
from survey_app.privacy import erasure
from survey_app.web.extensions import db
from tests.conftest import PASSWORD

PACK = "/door/offline/pack"
SYNC = "/door/offline/sync"
NOT_SAVED = "Sent from the door tablet but not saved"
ANNA = {"first_name": "Anna", "last_name": "Kowalska", "role": "carer", "contact_method": "email",
        "email": "anna@example.org", "phone": "07700 900999", "information_format": "easy_read", "consent": True,
        "lang": "pl"}


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def fetch_pack(door):
    """The pack, asked for as the tablet's page does: a POST with the page's CSRF token in the header."""
    return door.post(PACK, headers={"X-CSRFToken": door.csrf_token("/door/")})


def get_pack(door) -> dict:
    response = fetch_pack(door)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    return response.get_json()


def sync(door, pack: dict, items: list, csrf: str | None = None):
    return door.post(SYNC, json={"items": items}, headers={"X-CSRFToken": csrf or pack["csrf"]})


def results(response) -> list[tuple[str, str]]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return [(r["outcome"], r["reason"]) for r in response.get_json()["results"]]


def item(pack, n, kind, data=None, person=None, token=None):
    return {"token": token or pack["tokens"][n], "kind": kind, "position": n, "person": person, "data": data or {}}


def ref_of(pack, name):
    return next(p["ref"] for p in pack["people"] if p["name"] == name)


def organiser_page(app, meeting_id) -> str:
    from survey_app.access.accounts import create_user

    user = create_user(f"org{time.monotonic_ns()}@halton.example", "Olu", Role.ORGANISER, PASSWORD)
    db.session.commit()
    staff = app.test_client()
    assert staff.submit("/login", {"email": user.email, "password": PASSWORD}).status_code == 302
    response = staff.get(f"/meetings/{meeting_id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def people(door, sample):
    """Besides the sample person (Dorota Nowak, invited): someone else connected to the group, someone
    erased, and someone of no meeting of the group (whom the door may not find)."""
    ids = {}
    for first, last, connected, erased in (("Bartek", "Zielinski", True, False), ("Carla", "Evans", True, True),
                                          ("Zofia", "Stranger", False, False)):
        person = Person(first_name=first, last_name=last, phone="07700 900555", contact_method=ContactMethod.PHONE,
                        information_format=InformationFormat.STANDARD, role=PersonRole.CARER,
                        erased_at=utcnow() if erased else None)
        person.refresh_search_name()
        db.session.add(person)
        db.session.flush()
        if connected:
            db.session.add(Attendance(meeting_id=sample["meeting"].id, person_id=person.id,
                                      status=AttendanceStatus.INVITED))
        ids[first] = person.id
    db.session.add(AccessNeed(person_id=sample["person"].id, kind=NeedKind.BSL, detail="Needs a BSL interpreter",
                              created_at=utcnow()))
    db.session.add(Suggestion(group_id=sample["group"].id, what="Bus passes", source="door"))
    db.session.commit()
    return ids


def _values(entries):
    for entry in entries:
        yield from entry.values()


def test_the_pack_holds_first_names_and_initials_with_stand_ins_and_nothing_else(app, door, sample, people):
    response = fetch_pack(door)
    pack = response.get_json()
    # Everything but the random tokens and sealed references (whose letters could spell anything, "BSL" included).
    raw = json.dumps({key: value for key, value in pack.items() if key not in ("tokens", "csrf", "people", "suggestions")}
                     | {"people": [p["name"] for p in pack["people"]], "suggestions": [i["what"] for i in pack["suggestions"]]})
    assert response.headers["Cache-Control"] == "no-store"
    assert [p["name"] for p in pack["people"]] == ["Bartek Z.", "Dorota N."]  # sorted; no erased, no stranger
    for entry in pack["people"]:
        assert set(entry) == {"ref", "name"}
        assert re.match(r"^\S+ \S\.$", entry["name"])
    for value in _values(pack["people"] + pack["suggestions"]):
        assert isinstance(value, str) and not value.isdigit()
    for secret in ("Nowak", "Zielinski", "Evans", "Carla", "Zofia", "07700", "BSL", "bsl", "interpreter"):
        assert secret not in raw
    assert [s["what"] for s in pack["suggestions"]] == ["Bus passes"] and set(pack["suggestions"][0]) == {"ref", "what"}
    assert len(pack["tokens"]) == 300 and len(set(pack["tokens"])) == 300
    assert pack["csrf"] and pack["csrf_seconds"] == 8 * 3600 and pack["meeting"]["title"] == "Health checks"
    assert count(AuditEvent, AuditEvent.action == "door-offline-pack",
                 AuditEvent.record_id == str(sample["meeting"].id)) == 1


def test_register_then_sign_in_and_support_of_that_person_make_one_person_and_resending_saves_nothing(
        door, sample):
    pack = get_pack(door)
    t = pack["tokens"]
    mine = {"registered": t[0]}
    items = [item(pack, 0, "register", ANNA),
             item(pack, 1, "thanks_choice", {"preference": "voucher", "benefits_check": True}, mine),
             item(pack, 2, "sign_in", person=mine),
             item(pack, 3, "support", {"need_step_free": True, "need_food": True, "food_detail": "Vegetarian",
                                       "remember": "no"}, mine)]
    assert results(sync(door, pack, items)) == [("saved", "")] * 4
    anna = db.session.scalars(select(Person).where(Person.first_name == "Anna")).one()
    assert (anna.last_name, anna.email, anna.phone, anna.language) == ("Kowalska", "anna@example.org", "", "pl")
    assert anna.recognition_preference == "voucher" and anna.benefits_check is True
    assert count(Attendance, Attendance.person_id == anna.id, Attendance.status == AttendanceStatus.ATTENDED) == 1
    needs = db.session.scalars(select(AccessNeed).where(AccessNeed.person_id == anna.id)).all()
    assert sorted((n.kind.value, n.detail, n.meeting_id) for n in needs) == [
        ("food", "Vegetarian", sample["meeting"].id), ("step_free", "", sample["meeting"].id)]
    assert count(AuditEvent, AuditEvent.action == "door-register", AuditEvent.record_id == str(anna.id)) == 1
    rows = {r.kind: r for r in db.session.scalars(select(OfflineSubmission))}
    assert (rows["register"].person_id, rows["register"].short_label) == (anna.id, "Anna K.")
    assert (rows["sign_in"].person_id, rows["sign_in"].short_label) == (anna.id, "Anna K.")
    assert (rows["support"].person_id, rows["support"].short_label) == (None, "")

    again = sync(door, pack, items)  # a retry after a lost answer
    assert results(again) == [("saved", "")] * 4
    assert count(Person, Person.first_name == "Anna") == 1 and count(AccessNeed, AccessNeed.person_id == anna.id) == 2
    assert count(OfflineSubmission) == 4 and count(Attendance, Attendance.person_id == anna.id) == 1


def test_each_kind_saves_what_the_online_page_would(door, sample, people):
    meeting = db.session.get(Meeting, sample["meeting"].id)
    meeting.checklist_open = True
    db.session.commit()
    pack = get_pack(door)
    dorota = ref_of(pack, "Dorota N.")
    idea = pack["suggestions"][0]["ref"]
    answers = {"achieved": "4", "achieved_more": "Good", "outcomes": "A plan", "feeling": "5", "inclusive": "9",
               "payment_clear": "yes", "change": "", "here_as": "carer"}
    items = [item(pack, 0, "sign_in", person={"ref": dorota}),
             item(pack, 1, "support", {"need_hearing_loop": True, "remember": "yes"}, {"ref": dorota}),
             item(pack, 2, "suggest", {"what": "Dentists", "why": "Long waits", "name": ""}),
             item(pack, 3, "vote", {"suggestion": idea, "visit": "visit-key-0001"}, {"ref": dorota}),
             item(pack, 4, "vote", {"suggestion": idea, "visit": "visit-key-0002"}),
             item(pack, 5, "checklist", answers),
             item(pack, 6, "equality", {"age": "25_34", "sex": "not-an-answer"})]
    assert results(sync(door, pack, items)) == [("saved", "")] * 7
    pid = sample["person"].id
    assert count(Attendance, Attendance.person_id == pid, Attendance.status == AttendanceStatus.ATTENDED) == 1
    assert count(AuditEvent, AuditEvent.action == "door-sign-in", AuditEvent.record_id == str(pid)) == 1
    assert count(AccessNeed, AccessNeed.person_id == pid, AccessNeed.kind == "hearing_loop",
                 AccessNeed.meeting_id.is_(None)) == 1  # remembered: a standing need
    assert count(AuditEvent, AuditEvent.action == "door-needs") == 1
    suggestion = db.session.scalars(select(Suggestion).where(Suggestion.what == "Dentists")).one()
    assert (suggestion.why, suggestion.source, suggestion.meeting_id) == ("Long waits", "door", sample["meeting"].id)
    votes = db.session.scalars(select(SuggestionVote).order_by(SuggestionVote.id)).all()
    assert [(v.person_id, v.visit) for v in votes] == [(pid, "visit-key-0001"), (None, "visit-key-0002")]
    response = db.session.scalars(select(ChecklistResponse)).one()
    assert (response.achieved, response.achieved_more, response.outcomes, response.feeling, response.inclusive,
            response.payment_clear, response.here_as, response.channel) == (
        4, "Good", "A plan", 5, None, "yes", "carer", ChecklistChannel.DOOR)
    counted = {(c.question, c.answer): c.count for c in db.session.scalars(select(EqualityCount))}
    assert counted == {("forms", "answered"): 1, ("age", "25_34"): 1}
    unnamed = db.session.scalars(select(OfflineSubmission).where(
        OfflineSubmission.kind.in_(["suggest", "vote"]))).all()
    assert len(unnamed) == 3 and all(r.person_id is None and r.short_label == "" for r in unnamed)
    # The checklist and the equality form leave no row: neither their place in the queue nor their time
    # can be set beside a sign-in's.
    assert count(OfflineSubmission, OfflineSubmission.kind.in_(["checklist", "equality"])) == 0
    assert results(sync(door, pack, items[5:])) == [("saved", "")] * 2  # sent again: saved once, not twice
    assert count(ChecklistResponse) == 1
    assert {(c.question, c.answer): c.count for c in db.session.scalars(select(EqualityCount))} == counted


def test_a_second_tab_sending_overlapping_items_saves_each_once(door, sample):
    pack = get_pack(door)
    ideas = [item(pack, n, "suggest", {"what": f"Idea {n}"}) for n in range(3)]
    assert results(sync(door, pack, ideas[:2])) == [("saved", "")] * 2
    assert results(sync(door, pack, ideas[1:])) == [("saved", "")] * 2
    assert sorted(db.session.scalars(select(Suggestion.what))) == ["Idea 0", "Idea 1", "Idea 2"]
    assert count(FormToken) == 3 and count(OfflineSubmission) == 3


def test_an_erased_persons_sign_in_is_refused_and_shows_on_the_meeting_page(app, door, sample):
    pack = get_pack(door)
    dorota = ref_of(pack, "Dorota N.")
    erasure.erase_person(db.session.get(Person, sample["person"].id))
    db.session.commit()
    response = sync(door, pack, [item(pack, 0, "sign_in", person={"ref": dorota}),
                                 item(pack, 1, "support", {"need_bsl": True, "remember": "no"}, {"ref": dorota})])
    assert results(response) == [("refused", "person-gone")] * 2
    assert response.get_json()["results"][0]["message"] == \
        "This person's details are no longer kept, so this was not saved."
    assert count(Attendance, Attendance.status == AttendanceStatus.ATTENDED) == 0 and count(AccessNeed) == 0
    row = db.session.get(OfflineSubmission, pack["tokens"][0])
    assert (row.outcome, row.reason, row.person_id, row.short_label) == ("refused", "person-gone", None, "")
    assert results(sync(door, pack, [item(pack, 0, "sign_in", person={"ref": dorota})])) == \
        [("refused", "person-gone")]  # sent again: the same answer
    page = organiser_page(app, sample["meeting"].id)
    assert NOT_SAVED in page and "<strong>Sign-in</strong>. The person&#39;s details had been removed." in page
    assert "<strong>Support for today</strong>" in page and "Nowak" not in page.split(NOT_SAVED)[1][:600]


def test_erasing_someone_registered_offline_clears_their_name_from_the_tablets_record(door, sample):
    pack = get_pack(door)
    assert results(sync(door, pack, [item(pack, 0, "register", ANNA)])) == [("saved", "")]
    anna = db.session.scalars(select(Person).where(Person.first_name == "Anna")).one()
    erasure.erase_person(anna)
    db.session.commit()
    row = db.session.get(OfflineSubmission, pack["tokens"][0])
    assert (row.person_id, row.short_label, row.outcome) == (None, "", "saved")


def test_an_incomplete_registration_is_refused_with_the_forms_message_and_what_depends_on_it_too(app, door, sample):
    pack = get_pack(door)
    no_surname = {**ANNA, "last_name": ""}
    response = sync(door, pack, [item(pack, 0, "register", no_surname),
                                 item(pack, 1, "sign_in", person={"registered": pack["tokens"][0]})])
    assert results(response) == [("refused", "not-valid"), ("refused", "not-registered")]
    assert response.get_json()["results"][0]["message"] == "Type your last name."
    assert count(Person, Person.first_name == "Anna") == 0
    assert db.session.get(OfflineSubmission, pack["tokens"][0]).short_label == "Anna"
    no_consent = {**ANNA, "consent": False}
    response = sync(door, pack, [item(pack, 2, "register", no_consent)])
    assert results(response) == [("refused", "not-valid")]
    assert response.get_json()["results"][0]["message"].startswith("Tick the box so we can keep your details.")
    page = organiser_page(app, sample["meeting"].id)
    assert '<strong>Registration</strong>: <bdi lang="en">Anna</bdi>. Something was missing or not right. Add it ' \
           "by hand from the paper list." in page
    assert '<strong>Sign-in</strong>: <bdi lang="en">Anna</bdi>. Their registration was not saved.' in page


def test_a_made_up_token_is_refused_and_leaves_nothing(door, sample):
    pack = get_pack(door)
    real = pack["tokens"][0]
    forged = real[:-5] + ("AAAAA" if not real.endswith("AAAAA") else "BBBBB")
    items = [item(pack, 0, "suggest", {"what": "Forged"}, token=forged),
             item(pack, 1, "suggest", {"what": "Nonsense"}, token="not-a-token"),
             {"kind": "suggest", "data": {"what": "No token"}}, "not even an item"]
    response = sync(door, pack, items)
    assert results(response) == [("refused", "not-ours")] * 4
    assert response.get_json()["results"][0]["message"] == "This was not made on this tablet, so it was not saved."
    assert count(Suggestion) == 0 and count(FormToken) == 0 and count(OfflineSubmission) == 0


def test_more_than_fifty_items_are_refused_with_a_plain_message(door, sample):
    pack = get_pack(door)
    response = sync(door, pack, [item(pack, n, "suggest", {"what": f"Idea {n}"}) for n in range(51)])
    assert response.status_code == 413
    assert response.get_json() == {"error": "Please send at most 50 items at a time."}
    assert count(Suggestion) == 0 and count(OfflineSubmission) == 0
    assert door.post(SYNC, data="nonsense", headers={"X-CSRFToken": pack["csrf"]}).status_code == 400


def test_without_the_csrf_header_nothing_is_saved(door, sample):
    pack = get_pack(door)
    response = door.post(SYNC, json={"items": [item(pack, 0, "suggest", {"what": "Idea"})]})
    assert response.status_code == 400 and "error" in response.get_json()
    assert count(Suggestion) == 0


def test_over_https_the_pack_and_the_sync_need_this_sites_referer(door, sample):
    """Over HTTPS, CSRFProtect also checks the Referer: the tablet's own fetch (same origin) is taken, a post made
    from another site with a stolen header is not."""
    https, own = "https://localhost", {"Referer": "https://localhost/door/"}
    token = door.csrf_token("/door/")
    response = door.post(PACK, base_url=https, headers={"X-CSRFToken": token, "Referer": "https://elsewhere.example/"})
    assert response.status_code == 400 and "error" in response.get_json()
    response = door.post(PACK, base_url=https, headers={"X-CSRFToken": token, **own})
    assert response.status_code == 200
    pack = response.get_json()
    idea = {"items": [item(pack, 0, "suggest", {"what": "Idea"})]}
    for referer in ({}, {"Referer": "https://elsewhere.example/door/"}):
        response = door.post(SYNC, json=idea, base_url=https, headers={"X-CSRFToken": pack["csrf"], **referer})
        assert response.status_code == 400 and "error" in response.get_json()
    assert count(Suggestion) == 0
    response = door.post(SYNC, json=idea, base_url=https, headers={"X-CSRFToken": pack["csrf"], **own})
    assert results(response) == [("saved", "")] and count(Suggestion) == 1


def test_the_day_after_the_meeting_is_the_last_day_items_are_taken(door, sample):
    pack = get_pack(door)
    meeting = db.session.get(Meeting, sample["meeting"].id)
    meeting.starts_at -= timedelta(days=1)
    meeting.ends_at -= timedelta(days=1)
    db.session.commit()
    assert results(sync(door, pack, [item(pack, 0, "suggest", {"what": "Yesterday"})])) == [("saved", "")]
    meeting.starts_at -= timedelta(days=2)
    meeting.ends_at -= timedelta(days=2)
    db.session.commit()
    response = sync(door, pack, [item(pack, 1, "suggest", {"what": "Too late"})])
    assert results(response) == [("refused", "meeting-over")]
    assert sorted(db.session.scalars(select(Suggestion.what))) == ["Yesterday"]


@pytest.mark.parametrize("role", [Role.ORGANISER, Role.FINANCE, None])
def test_staff_and_other_browsers_get_the_doors_refusal(client, login_as, sample, role):
    if role is not None:
        login_as(role)
    assert client.post(PACK).status_code == 403 and client.get(PACK).status_code == 405
    assert client.post(SYNC, json={"items": []}).status_code == 403
    if role is None:
        assert client.post(SYNC, json={"items": []}, headers={"X-CSRFToken": client.csrf_token("/login")}
                           ).status_code == 403
    assert count(AuditEvent, AuditEvent.action == "door-offline-pack") == 0


def test_the_pack_is_limited_per_tablet(app, door, sample):
    app.config["DOOR_OFFLINE_TOKENS"] = 2
    for _ in range(30):
        assert len(get_pack(door)["tokens"]) == 2
    response = fetch_pack(door)
    assert response.status_code == 429 and response.headers["Cache-Control"] == "no-store"
    assert "error" in response.get_json() and "people" not in response.get_json()


def test_two_hundred_queued_items_in_four_requests_are_each_saved_once(door, sample):
    """The issue's 200-item queue, for correctness (its speed under load belongs in bench/, not a timed test)."""
    pack = get_pack(door)
    dorota = ref_of(pack, "Dorota N.")
    kinds = [("suggest", {"what": "An idea"}, None), ("sign_in", None, {"ref": dorota}),
             ("equality", {"age": "16_24"}, None),
             ("support", {"need_quiet_space": True, "remember": "no"}, {"ref": dorota})]
    items = [item(pack, n, *kinds[n % 4]) for n in range(200)]
    for start in range(0, 200, offline.MAX_ITEMS):
        assert results(sync(door, pack, items[start:start + offline.MAX_ITEMS])) == [("saved", "")] * 50
    assert count(FormToken) == 200 and count(Suggestion) == 50
    assert count(OfflineSubmission) == 150  # the 50 equality forms leave no row
    assert db.session.scalar(select(EqualityCount.count).where(EqualityCount.question == "age")) == 50


def test_retention_removes_the_tablets_records_after_thirty_days(door, sample):
    from survey_app.privacy import retention

    pack = get_pack(door)
    assert results(sync(door, pack, [item(pack, n, "suggest", {"what": f"Idea {n}"}) for n in range(3)])) == \
        [("saved", "")] * 3
    for n, days in enumerate((29, 31, 400)):
        db.session.get(OfflineSubmission, pack["tokens"][n]).received_at = utcnow() - timedelta(days=days)
    db.session.commit()
    report = retention.run()
    assert report.offline_submissions == 2
    assert list(db.session.scalars(select(OfflineSubmission.token))) == [pack["tokens"][0]]
    assert count(Suggestion) == 3  # what was saved stays


def test_two_tabs_sending_the_same_queue_at_the_same_moment_save_it_once(app, door, sample):
    """Two requests at once (two threads, the same tablet's cookie): each item is saved by one of them, and
    both are told "saved"."""
    import threading

    pack = get_pack(door)
    second = app.test_client()
    cookie = app.config["SESSION_COOKIE_NAME"]
    second.set_cookie(cookie, door.get_cookie(cookie).value)
    items = [item(pack, 0, "register", ANNA), item(pack, 1, "sign_in", person={"registered": pack["tokens"][0]}),
             *(item(pack, n, "suggest", {"what": f"Idea {n}"}) for n in range(2, 30))]
    start, answers = threading.Barrier(2), {}

    def send(name, client):
        start.wait()
        answers[name] = results(sync(client, pack, items))

    threads = [threading.Thread(target=send, args=(name, c)) for name, c in (("a", door), ("b", second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers["a"] == answers["b"] == [("saved", "")] * 30
    assert count(Person, Person.first_name == "Anna") == 1 and count(Suggestion) == 28
    assert count(Attendance, Attendance.status == AttendanceStatus.ATTENDED) == 1 and count(OfflineSubmission) == 30


# --- The tablet's side: the service worker and the offline page (door/offline_client.py) ---------------------

SW = "/door/sw.js"
OFFLINE_PAGE = "/door/offline-page"


def test_the_service_worker_is_served_to_the_door_only_never_cached_and_caches_only_pages_without_names(
        door, sample, people):
    response = door.get(SW)
    source = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    assert "__PAGES__" not in source and "__VERSION__" not in source
    for code in ("en", "pl", "ro", "pt", "ar"):
        assert f'"/door/offline-page?lang={code}"' in source
    assert '"/static/js/door-offline.js"' in source and '"/static/js/door-offline-page.js"' in source
    assert "/door/offline/" not in source  # never the JSON
    assert door.get(SW).get_data(as_text=True) == source  # the same worker until something it caches changes


@pytest.mark.parametrize("role", [Role.ORGANISER, None])
def test_the_service_worker_and_the_offline_page_are_for_the_door_tablet_only(client, login_as, sample, role):
    """Door mode only, as every door page: another browser has no use for them (decision: docs/DESIGN.md)."""
    if role is not None:
        login_as(role)
    assert client.get(SW).status_code == 403
    assert client.get(OFFLINE_PAGE + "?lang=en").status_code == 403
    # The door's refusal page does not start the tablet's script (it would make a new, empty store there).
    refused = client.get("/door/")
    assert refused.status_code == 403 and "door-offline.js" not in refused.get_data(as_text=True)


@pytest.mark.parametrize("lang", ["en", "pl", "ro", "pt", "ar"])
def test_the_offline_page_renders_in_each_language_with_nothing_about_anyone(door, sample, people, lang):
    before = door.get("/door/").get_data(as_text=True)
    response = door.get(f"{OFFLINE_PAGE}?lang={lang}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}"' in page
    # (The phone page's error text has the online form's example number, the sample person's own: not counted.
    # The support screen lists every kind of need, the same for everyone: a person's own need is its detail.)
    without_examples = re.sub(r'data-bad="[^"]*"', "", page)
    for secret in ("Dorota", "Nowak", "Bartek", "Zielinski", "07700", "Needs a BSL interpreter", "Health checks",
                   "Bus passes",
                   'name="csrf_token"', 'name="form_token"'):
        assert secret not in without_examples, secret
    screens = ["welcome", "sign-in", "confirm", "register", "check", "thanks-choice", "support", "vote", "suggest",
               "checklist", "thanks"]
    assert "data-offline-page" in page and re.findall(r'data-screen="([^"]+)"', page) == screens
    assert page.count("data-step=") == 8
    pages = ["name", "role", "contact", "email", "phone", "address", "letters_address", "format", "consent"]
    assert re.findall(r'data-page="([^"]+)"', page) == pages
    assert 'src="/static/js/door-offline.js"' in page and 'src="/static/js/door-offline-page.js"' in page
    assert "data-staff-line" in page
    if lang != "en":
        for english in ("Thank you for your time", "Send my answers", "I'm new here", "Type your first name.",
                        "Check your answers", "Do you need any support today?", "Choose if we should remember this.",
                        "I want to talk about this", "How should we thank you?", "Step 98 of 99", "Error:"):
            assert english not in page, english
        assert re.search(r'data-progress="[^"]*98[^"]*99', page) or re.search(r'data-progress="[^"]*99[^"]*98', page)
    # Looking at it changed nothing: the door's language is still the visit's own.
    assert door.get("/door/").get_data(as_text=True).split("<html")[1][:40] == before.split("<html")[1][:40]


def test_an_unknown_language_is_not_found(door, sample):
    assert door.get(OFFLINE_PAGE + "?lang=xx").status_code == 404


def test_every_door_page_has_the_staff_line_with_its_plural_forms(door, sample):
    from tests.door_helpers import hidden

    page = door.get("/door/").get_data(as_text=True)
    assert 'data-staff-line' in page and 'role="status"' in page
    waiting = json.loads(re.search(r'data-waiting="([^"]*)"', page).group(1).replace("&#34;", '"'))
    assert waiting == {"one": "Saved on this tablet: {num} to send", "other": "Saved on this tablet: {num} to send"}
    door.post("/door/language", data={"lang": "pl", "csrf_token": hidden(page, "csrf_token")})
    page = door.get("/door/").get_data(as_text=True)
    waiting = json.loads(re.search(r'data-waiting="([^"]*)"', page).group(1).replace("&#34;", '"'))
    assert set(waiting) == {"one", "few", "many"} and 'data-locale="pl-PL"' in page
    assert all("{num}" in text for category, text in waiting.items() if category != "one")


def test_the_exit_page_holds_the_message_for_a_queue_not_yet_sent(door, sample):
    page = door.get("/door/exit").get_data(as_text=True)
    assert "data-door-exit" in page and "Some things are still saved on this tablet" in page


def test_personal_link_pages_load_neither_the_doors_script_nor_its_staff_line(client, login_as, sample):
    from tests.test_invitations import invite_and_link

    login_as(Role.ORGANISER)
    invitation = invite_and_link(client, sample)
    base = f"/invite/{invitation.token}"
    for url in (base, f"{base}/support", f"{base}/suggest", f"{base}/thanks"):
        page = client.get(url).get_data(as_text=True)
        assert "door-offline.js" not in page and "data-staff-line" not in page, url


@pytest.mark.parametrize(("lang", "categories"), [("en", {"one", "other"}), ("pl", {"one", "few", "many"}),
                                                  ("ro", {"one", "few", "other"}), ("pt", {"one", "other"}),
                                                  ("ar", {"zero", "one", "two", "few", "many", "other"})])
def test_the_staff_lines_words_come_translated_for_each_plural_category(door, sample, lang, categories):
    """door-offline.js picks a text by Intl.PluralRules' category, so every category of the language has one."""
    page = door.get(f"{OFFLINE_PAGE}?lang={lang}").get_data(as_text=True)
    for attribute in ("data-waiting", "data-refused"):
        texts = json.loads(re.search(attribute + r'="([^"]*)"', page).group(1).replace("&#34;", '"'))
        assert set(texts) == categories
        assert all("{num}" in text for text in texts.values())
        assert lang == "en" or not any(text.startswith(("Saved on", "Could not")) for text in texts.values())


def test_the_offline_pages_script_has_its_own_budget_and_online_door_pages_do_not_load_it(door, sample):
    from tests.door_helpers import OFFLINE_PAGE_ASSETS, OFFLINE_PAGE_BUDGET, assert_small

    size = sum(len(door.get(f"/static/{name}").data) for name in OFFLINE_PAGE_ASSETS)
    assert size < OFFLINE_PAGE_BUDGET, f"the offline page's script: {size} bytes"
    for url in ("/door/", "/door/sign-in", "/door/suggest"):
        assert "door-offline-page.js" not in assert_small(door, url).get_data(as_text=True)
    # The offline page (every screen, fetched once and kept by the worker) is not an online page: its scripts are
    # the door's and its own, each within its budget.
    page = door.get(OFFLINE_PAGE + "?lang=en").get_data(as_text=True)
    assert set(re.findall(r'src="/static/([^"?]+)', page)) == {
        "js/participant.js", "js/listen.js", "js/door-offline.js", "js/door-offline-page.js"}


def test_the_offline_page_tells_the_tablet_the_online_forms_error_texts(door, sample):
    page = door.get(OFFLINE_PAGE + "?lang=en").get_data(as_text=True)
    for text in ("Type your first name.", "Type your last name.", "Choose who you are in the group.",
                 "Choose how we should contact you.", "Type your email address like this: name@example.org",
                 "Type your phone number using numbers, like 07700 900123.", "Choose how you like to get information.",
                 "Choose how you would like us to thank you.", "Choose if we should remember this.",
                 "Tell us what else you need, or untick Something else."):
        assert f'data-need="{text}"' in page or f'data-bad="{text}"' in page, text
