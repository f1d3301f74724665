"""The door tablet without a network (issue 19), in a real Chromium: door mode starts and the tablet keeps its
pack; the network goes; a reload still shows the door (the offline page, from the service worker); two people
sign in, someone suggests something and someone answers the checklist, all queued on the tablet; the staff line
says how many wait; a second tab sends nothing twice; the network comes back and each is saved once. Ending door
mode waits for the queue, then leaves nothing on the tablet."""
import json

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from survey_app.models import (
    AccessNeed,
    Attendance,
    AttendanceStatus,
    ChecklistResponse,
    ContactMethod,
    InformationFormat,
    Meeting,
    MeetingMode,
    NeedKind,
    Person,
    PersonRole,
    Role,
    Suggestion,
    SuggestionVote,
)
from survey_app.models.base import utcnow
from survey_app.web.extensions import db
from tests.conftest import PASSWORD
from tests.door_helpers import make_it_today

pytestmark = pytest.mark.browser

# Everything the tablet's IndexedDB holds, store by store: keys and values.
DUMP = """async () => {
  const db = await new Promise((ok, no) => { const r = indexedDB.open("hub-door"); r.onsuccess = () => ok(r.result);
                                               r.onerror = () => no(r.error); });
  const out = {};
  for (const name of Array.from(db.objectStoreNames)) {
    out[name] = await new Promise(ok => {
      const t = db.transaction(name), store = t.objectStore(name), keys = store.getAllKeys(), values = store.getAll();
      t.oncomplete = () => ok({keys: keys.result, values: values.result});
    });
  }
  db.close();
  return out;
}"""
DATABASES = "async () => (await indexedDB.databases()).map(d => d.name)"
WORKERS = "async () => (await navigator.serviceWorker.getRegistrations()).length"
CACHES = "async () => await caches.keys()"
# An item no pack ever held: the server refuses it ("not-ours"), so the tablet counts it as not saved.
STRAY_ITEM = """async () => {
  const db = await new Promise(ok => { const r = indexedDB.open("hub-door"); r.onsuccess = () => ok(r.result); });
  await new Promise(ok => { const t = db.transaction("queue", "readwrite");
    t.objectStore("queue").put({token: "not-a-token", kind: "suggest", position: 100000, person: null, data: {}});
    t.oncomplete = ok; });
  db.close();
}"""


# Random values the tablet keeps (one-time tokens, the CSRF token, sealed stand-ins, visit and meeting keys):
# their letters could spell anything ("bsl", "07700"), so the look for personal data leaves them out.
RANDOM_KEYS = {"tokens", "csrf", "ref", "token", "registered", "visit", "key", "suggestion"}


def readable(stored) -> str:
    """What the tablet keeps, as JSON, without the random values."""
    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in RANDOM_KEYS}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value
    return json.dumps(strip(stored))


def staff_line(page):
    return page.locator("[data-staff-line]")


def heading(page) -> str:
    return page.locator("h1").inner_text().strip()


def press(page, name):
    page.get_by_role("button", name=name, exact=True).click()


def count(model, *where):
    db.session.rollback()  # see what the server's requests have committed since
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def bartek(sample):
    """Besides the sample person (Dorota Nowak, who needs a BSL interpreter): Bartek Zielinski, both invited."""
    person = Person(first_name="Bartek", last_name="Zielinski", phone="07700 900555", contact_method=ContactMethod.PHONE,
                    information_format=InformationFormat.STANDARD, role=PersonRole.CARER)
    person.refresh_search_name()
    db.session.add(person)
    db.session.flush()
    for someone in (sample["person"], person):
        db.session.add(Attendance(meeting_id=sample["meeting"].id, person_id=someone.id,
                                  status=AttendanceStatus.INVITED))
    db.session.add(AccessNeed(person_id=sample["person"].id, kind=NeedKind.BSL, detail="Needs a BSL interpreter",
                              created_at=utcnow()))
    sample["meeting"].checklist_open = True
    db.session.commit()
    make_it_today(sample["meeting"].id)
    return person


def start_door_mode(page, make_user, meeting):
    organiser = make_user(Role.ORGANISER)
    page.goto("/login")
    page.get_by_label("Email address").fill(organiser.email)
    page.get_by_label("Password").fill(PASSWORD)
    press(page, "Sign in")
    page.wait_for_url("**/dashboard")
    page.goto(f"/meetings/{meeting.id}")
    press(page, "Start door mode")
    page.wait_for_url("**/door/")
    # The worker is installed (the offline pages cached) and the pack is in IndexedDB.
    page.wait_for_selector("body[data-offline-ready]", state="attached")
    return organiser


def wait_heading(page, text):
    page.wait_for_function("t => document.querySelector('h1').textContent.trim() === t", arg=text)


def sign_in_offline(page, typed, shown, support=True):
    """Signs in from the tablet's name list; then, as online, "Do you need any support today?" (none)."""
    press(page, "Sign in")
    page.get_by_label("Type the first letters of your name").fill(typed)
    press(page, "Find me")
    press(page, shown)
    assert heading(page) == "Is this you?"
    press(page, "Yes, this is me")
    wait_heading(page, "Do you need any support today?")
    if support:
        press(page, "I don't need any support")
        wait_heading(page, "Thank you")


def test_the_door_works_offline_and_sends_each_thing_once(page, axe_check, make_user, sample, bartek):
    organiser = start_door_mode(page, make_user, sample["meeting"])
    expect(staff_line(page)).to_have_text("")
    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector("[data-offline-page]")
    assert heading(page) == "Welcome" and page.locator("[data-meeting-title]").inner_text() == "Health checks"
    axe_check(page)

    sign_in_offline(page, "dor", "Dorota N.")
    expect(staff_line(page)).to_have_text("Saved on this tablet: 1 to send")
    axe_check(page)  # the thank-you screen and the staff line
    press(page, "Next person")
    sign_in_offline(page, "bar z", "Bartek Z.")
    press(page, "Suggest something to talk about")
    page.get_by_label("What would you like us to talk about?").fill("Bus passes for carers")
    press(page, "Send my idea")
    page.wait_for_function("document.querySelector('h1').textContent.trim() === 'Thank you'")
    press(page, "Tell us how it went")
    assert heading(page) == "Did we get things done?"
    page.get_by_role("radio", name="Mostly").check()
    press(page, "Next")
    for _ in range(6):
        press(page, "Skip this question")
    assert heading(page) == "I am here as..."
    page.get_by_role("radio", name="A carer").check()
    press(page, "Send my answers")
    page.wait_for_function("document.querySelector('h1').textContent.trim() === 'Thank you'")
    expect(staff_line(page)).to_have_text("Saved on this tablet: 4 to send")
    axe_check(page)

    # What the tablet keeps: first names and initials under sealed stand-ins, tokens, the queue; nothing else.
    stored = page.evaluate(DUMP)
    text = readable(stored)
    for secret in ("Nowak", "Zielinski", "07700", "BSL", "bsl", "interpreter", "person_id", '"id"'):
        assert secret not in text, secret
    queue = stored["queue"]["values"]
    assert [item["kind"] for item in queue] == ["sign_in", "sign_in", "suggest", "checklist"]
    assert [item["position"] for item in queue] == sorted(item["position"] for item in queue)
    assert all(set(item["person"]) == {"ref"} and not item["person"]["ref"].isdigit() for item in queue[:2])
    people = stored["pack"]["values"][stored["pack"]["keys"].index("pack")]["people"]
    assert sorted(p["name"] for p in people) == ["Bartek Z.", "Dorota N."]
    assert all(set(p) == {"ref", "name"} for p in people)

    # A second tab of the same tablet shows the same queue; when the network is back both try to send it.
    tab_b = page.context.new_page()
    tab_b.goto("/door/")
    tab_b.wait_for_selector("[data-offline-page]")
    expect(staff_line(tab_b)).to_have_text("Saved on this tablet: 4 to send")
    assert count(ChecklistResponse) == 0 and count(Suggestion) == 0
    page.context.set_offline(False)
    for tab in (page, tab_b):
        tab.wait_for_function("document.querySelector('[data-staff-line]').textContent === ''")
    attended = count(Attendance, Attendance.status == AttendanceStatus.ATTENDED)
    assert attended == 2
    assert count(Suggestion, Suggestion.what == "Bus passes for carers") == 1
    assert count(ChecklistResponse) == 1
    answers = db.session.scalars(select(ChecklistResponse)).one()
    assert answers.achieved == 4 and answers.here_as == "carer"
    tab_b.close()

    # Ending door mode with something still waiting is held, with the message; once it is sent, it goes.
    page.goto("/door/exit")
    page.context.set_offline(True)
    page.evaluate(STRAY_ITEM)
    page.get_by_label("Email address").fill(organiser.email)
    page.get_by_label("Password").fill(PASSWORD)
    press(page, "End door mode")
    message = page.locator("[data-exit-held]")
    expect(message).to_be_visible()
    assert "Some things are still saved on this tablet and have not been sent" in message.inner_text()
    assert page.url.endswith("/door/exit")
    page.context.set_offline(False)  # the stray item is sent, and refused
    expect(staff_line(page)).to_have_text("Could not be saved: 1. The organiser can see them on the meeting page.")
    axe_check(page)
    press(page, "End door mode")
    page.wait_for_url(f"**/meetings/{sample['meeting'].id}")
    assert "hub-door" not in page.evaluate(DATABASES)
    assert page.evaluate(WORKERS) == 0 and page.evaluate(CACHES) == []
    assert count(Attendance, Attendance.status == AttendanceStatus.ATTENDED) == 2  # nothing sent twice


def test_the_offline_page_in_arabic_reads_right_to_left_and_its_staff_line_is_arabic(page, axe_check, make_user,
                                                                                      sample, bartek):
    start_door_mode(page, make_user, sample["meeting"])
    page.context.set_offline(True)
    page.goto("/door/offline-page?lang=ar")  # from the worker's cache
    page.wait_for_selector("[data-offline-page]")
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    assert heading(page) == "أهلًا وسهلًا"
    axe_check(page)
    page.locator("[data-go='sign-in']").first.click()
    page.locator("[data-search] input").fill("dor")
    page.locator("[data-search] button[type=submit]").click()
    page.get_by_role("button", name="Dorota N.", exact=True).click()
    page.locator("[data-confirm]").click()
    expect(staff_line(page)).to_have_text("محفوظ على هذا الجهاز اللوحي بانتظار الإرسال: 1")
    expect(page.locator('[data-screen="support"]')).to_be_visible()  # as online: support after signing in
    axe_check(page)
    page.context.set_offline(False)
    expect(staff_line(page)).to_have_text("")
    assert count(Attendance, Attendance.status == AttendanceStatus.ATTENDED) == 1


def test_a_tablet_whose_door_mode_ran_out_forgets_everything_it_kept(page, make_user, sample, bartek):
    """Door mode can end without staff ending it: the tablet's session runs out (12 hours) or is cleared. The
    next door address it opens is refused (403), and the worker deletes the names, the caches and itself."""
    start_door_mode(page, make_user, sample["meeting"])
    assert "hub-door" in page.evaluate(DATABASES) and page.evaluate(WORKERS) == 1
    page.context.clear_cookies()  # as when the session has run out
    response = page.goto("/door/")
    assert response.status == 403
    page.wait_for_function("async () => (await navigator.serviceWorker.getRegistrations()).length === 0")
    assert "hub-door" not in page.evaluate(DATABASES) and page.evaluate(CACHES) == []


@pytest.fixture
def idea(sample):
    """An idea the door's vote offers (in the pack)."""
    suggestion = Suggestion(group_id=sample["group"].id, what="More evening meetings", source="door")
    db.session.add(suggestion)
    db.session.commit()
    return suggestion


def next_step(page, title):
    press(page, "Next")
    wait_heading(page, title)


def test_a_new_person_registers_offline_is_thanked_gets_support_votes_and_signs_in_again_as_one_person(
        page, axe_check, make_user, sample, bartek, idea):
    start_door_mode(page, make_user, sample["meeting"])
    people_before = count(Person)
    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector("[data-offline-page]")

    press(page, "I'm new here")
    wait_heading(page, "What is your name?")
    assert page.locator("[data-progress]").inner_text() == "Step 1 of 6"
    press(page, "Next")  # nothing typed: the online form's words
    problem = page.locator('[data-screen="register"] [data-problem]')
    expect(problem).to_be_visible()
    assert "Type your first name." in problem.inner_text() and "Type your last name." in problem.inner_text()
    assert page.get_by_label("Your first name").get_attribute("aria-invalid") == "true"
    axe_check(page)  # a registration step, with its errors
    page.get_by_label("Your first name").fill("Wanda")
    page.get_by_label("Your last name").fill("Kowalczyk")
    next_step(page, "Who are you in the group?")
    assert page.locator("[data-problem]:visible").count() == 0
    page.get_by_role("radio", name="I am a volunteer").check()
    next_step(page, "How should we contact you?")
    page.get_by_role("radio", name="Email").check()
    next_step(page, "What is your email address?")
    page.get_by_label("Your email address").fill("wanda")
    press(page, "Next")
    expect(problem).to_contain_text("Type your email address like this: name@example.org")
    page.get_by_label("Your email address").fill("wanda@example.org")
    next_step(page, "How do you like to get information?")
    page.get_by_role("radio", name="Easy read").check()
    next_step(page, "Can we keep your details?")
    assert page.locator("[data-progress]").inner_text() == "Step 6 of 6"
    axe_check(page)
    page.get_by_role("checkbox", name="Yes, you can keep my details").check()
    next_step(page, "Check your answers")
    rows = page.locator("[data-row]:visible")
    assert rows.count() == 6
    summary = page.locator('[data-screen="check"]').inner_text()
    for answer in ("Wanda Kowalczyk", "wanda@example.org", "Easy read"):
        assert answer in summary, answer
    axe_check(page)  # "Check your answers"
    assert "I am a volunteer" in summary
    press(page, "Change who you are in the group")  # back to that question, then straight back here
    wait_heading(page, "Who are you in the group?")
    page.get_by_role("radio", name="I am a carer").check()
    next_step(page, "Check your answers")
    summary = page.locator('[data-screen="check"]').inner_text()
    assert "I am a carer" in summary and "I am a volunteer" not in summary
    press(page, "Save")
    wait_heading(page, "How should we thank you?")
    axe_check(page)
    page.get_by_role("radio", name="A voucher, please").check()
    next_step(page, "Do you need any support today?")
    page.get_by_role("checkbox", name="Hearing loop").check()
    press(page, "Send")  # "Should we remember this?" not answered yet
    expect(page.locator('[data-screen="support"] [data-problem]')).to_contain_text("Choose if we should remember this.")
    axe_check(page)  # the support screen, with its error
    page.get_by_role("radio", name="Yes, remember it").check()
    press(page, "Send")
    wait_heading(page, "Thank you")
    press(page, "Vote for what we talk about")
    wait_heading(page, "Vote for what we talk about")
    assert "More evening meetings" in page.locator('[data-screen="vote"]').inner_text()
    press(page, "I want to talk about this")
    expect(page.get_by_text("You have voted for this.")).to_be_visible()
    axe_check(page)  # the vote screen
    press(page, "I have finished")
    wait_heading(page, "Thank you")
    press(page, "Next person")

    # Before the network is back the same person signs in again, from the tablet's name list.
    sign_in_offline(page, "wan", "Wanda K.")
    expect(staff_line(page)).to_have_text("Saved on this tablet: 5 to send")
    stored = page.evaluate(DUMP)
    queue = stored["queue"]["values"]
    assert [item["kind"] for item in queue] == ["register", "thanks_choice", "support", "vote", "sign_in"]
    register_token = queue[0]["token"]
    assert all(item["person"] == {"registered": register_token} for item in queue[1:])
    assert queue[0]["data"]["last_name"] == "Kowalczyk"  # what was typed, kept until it is sent
    # Nothing in the database before the network returns.
    assert count(Person) == people_before and count(SuggestionVote) == 0
    assert count(AccessNeed, AccessNeed.kind == NeedKind.HEARING_LOOP) == 0

    page.context.set_offline(False)
    page.wait_for_function("document.querySelector('[data-staff-line]').textContent === ''")
    assert count(Person) == people_before + 1
    wanda = db.session.scalars(select(Person).where(Person.first_name == "Wanda")).one()
    assert (wanda.last_name, wanda.email, wanda.role, wanda.information_format) == (
        "Kowalczyk", "wanda@example.org", PersonRole.CARER, InformationFormat.EASY_READ)
    assert wanda.recognition_preference == "voucher"
    assert count(Attendance, Attendance.person_id == wanda.id, Attendance.status == AttendanceStatus.ATTENDED) == 1
    assert [need.kind for need in db.session.scalars(select(AccessNeed).where(AccessNeed.person_id == wanda.id))] \
        == [NeedKind.HEARING_LOOP]
    assert count(SuggestionVote, SuggestionVote.suggestion_id == idea.id) == 1

    # After the sync: the queue is empty, and the name list holds only "Wanda K." (no surname, no email).
    stored = page.evaluate(DUMP)
    assert stored["queue"]["values"] == []
    text = readable(stored)
    for secret in ("Kowalczyk", "wanda@example.org", "hearing"):
        assert secret not in text, secret
    people = stored["pack"]["values"][stored["pack"]["keys"].index("pack")]["people"]
    assert "Wanda K." in [p["name"] for p in people]


def test_an_untouched_offline_screen_goes_back_to_welcome_as_online(page, make_user, sample, bartek):
    """3 minutes, 10 while registering (the door's idle times); the browser's clock is Playwright's, so no wait."""
    start_door_mode(page, make_user, sample["meeting"])
    page.context.set_offline(True)
    page.clock.install()
    page.reload()
    page.wait_for_selector("[data-offline-page]")
    press(page, "I'm new here")
    wait_heading(page, "What is your name?")
    page.get_by_label("Your first name").fill("Wanda")
    page.clock.fast_forward("09:00")
    assert heading(page) == "What is your name?"
    page.clock.fast_forward("01:01")
    wait_heading(page, "Welcome")
    press(page, "I'm new here")
    assert page.get_by_label("Your first name").input_value() == ""  # nothing of the last person's answers
    press(page, "Start again")
    press(page, "Vote for what we talk about")
    wait_heading(page, "Vote for what we talk about")
    page.clock.fast_forward("02:00")
    assert heading(page) == "Vote for what we talk about"
    page.clock.fast_forward("01:01")
    wait_heading(page, "Welcome")


QUEUE_AN_IDEA = """async () => {
  const db = await new Promise(ok => { const r = indexedDB.open("hub-door"); r.onsuccess = () => ok(r.result); });
  const pack = await new Promise(ok => { db.transaction("pack").objectStore("pack").get("pack").onsuccess =
    (e) => ok(e.target.result); });
  await new Promise(ok => { const t = db.transaction("queue", "readwrite");
    t.objectStore("queue").put({token: pack.tokens[0], kind: "suggest", position: 1, person: null,
                                data: {what: "Queued for the first meeting"}});
    t.oncomplete = ok; });
  db.close();
}"""
KEPT_MEETING = """async () => {
  const db = await new Promise(ok => { const r = indexedDB.open("hub-door"); r.onsuccess = () => ok(r.result); });
  const out = await new Promise(ok => { const t = db.transaction(["pack", "queue"]);
    const pack = t.objectStore("pack").get("pack"), queued = t.objectStore("queue").count();
    t.oncomplete = () => ok([pack.result && pack.result.meeting.title, queued.result]); });
  db.close();
  return out;
}"""


def test_a_tablet_started_for_another_meeting_drops_what_it_kept_for_the_last_one(page, make_user, sample, bartek):
    """Door mode ran out on a tablet (not ended by staff) and staff start it again for another meeting, without
    the tablet opening a door address in between: the first door page finds the pack and queue of the other
    meeting, drops them (they cannot be sent from this one) and keeps this meeting's pack instead."""
    start_door_mode(page, make_user, sample["meeting"])
    page.evaluate(QUEUE_AN_IDEA)
    page.context.set_offline(True)  # so the queued idea stays queued until door mode has run out
    page.context.clear_cookies()
    page.context.set_offline(False)
    other = Meeting(group=sample["group"], title="Bus passes", starts_at=sample["meeting"].starts_at,
                    ends_at=sample["meeting"].ends_at, mode=MeetingMode.IN_PERSON, venue_name="Halton Lea Library")
    db.session.add(other)
    db.session.commit()
    start_door_mode(page, make_user, other)
    assert page.evaluate(KEPT_MEETING) == ["Bus passes", 0]
    page.wait_for_timeout(500)  # (a send, had one started, would have come back by now)
    assert count(Suggestion, Suggestion.what == "Queued for the first meeting") == 0
