"""Registering at the door, one question a page (survey_app/door/register.py): the pages each person sees,
their messages, "Check your answers" and its Change links, where the answers are kept (the visit, sealed;
never the address), and Save saving one person however often it is pressed."""
import base64
import random
import re
import zlib

import pytest
from sqlalchemy import func, select

from survey_app.models import Person
from survey_app.participation import kiosk
from survey_app.web.extensions import db
from tests.door_helpers import REGISTER_CHECK, hidden, register

ANA = {"first_name": "Ana", "last_name": "Costa", "role": "carer", "information_format": "easy_read", "consent": "y"}
BY = {"email": ({"contact_method": "email", "email": "ana@example.org"}, "email", "What is your email address?"),
      "phone": ({"contact_method": "phone", "phone": "07700 900999"}, "phone", "What is your phone number?"),
      "text": ({"contact_method": "text", "phone": "07700 900999"}, "phone", "What is your phone number?"),
      "post": ({"contact_method": "post", "address": "1 High Street\nRuncorn"}, "address", "What is your address?")}
EVERY_DETAIL = {"email": "ana@example.org", "phone": "07700 900999", "address": "1 High Street\nRuncorn"}
PAGES = ["/door/new/name", "/door/new/role", "/door/new/contact", "/door/new/detail", "/door/new/format",
         "/door/new/consent"]


def text(response) -> str:
    return response.get_data(as_text=True)


def people() -> int:
    return db.session.scalar(select(func.count()).select_from(Person))


def h1(page: str) -> str:
    return re.sub(r"<[^>]+>", "", re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S).group(1)).strip()


def answer(door, url: str, data: dict):
    """One page: GET it for its tokens, as a browser would, then send `data`."""
    return door.submit(url, data)


def start_again(door):
    door.submit("/door/start-again", {}, token_from="/door/")


@pytest.mark.parametrize("method", list(BY))
def test_the_whole_path_for_each_way_of_contact_asks_only_the_detail_it_needs(door, sample, method):
    contact, field, question = BY[method]
    answers = {**ANA, **contact, **{k: v for k, v in EVERY_DETAIL.items() if k != field}}  # the others sent too
    assert door.get("/door/new").headers["Location"] == "/door/new/name"
    titles = ["What is your name?", "Who are you in the group?", "How should we contact you?", question,
              "How do you like to get information?", "Can we keep your details?"]
    for number, (url, title) in enumerate(zip(PAGES, titles, strict=True), start=1):
        page = text(door.get(url))
        assert h1(page) == title and f"Step {number} of 6" in page
        if url.endswith("/detail"):  # only the one detail: no other contact field on the page
            assert [n for n in ("email", "phone", "address") if f'name="{n}"' in page] == [field]
        response = answer(door, url, answers)
        assert response.status_code == 302
        assert response.headers["Location"] == (PAGES[number] if number < 6 else REGISTER_CHECK)
    page = text(door.get(REGISTER_CHECK))
    assert h1(page) == "Check your answers"
    for shown in ("Ana Costa", "I am a carer", "Easy read", contact[field].split("\n")[0]):
        assert shown in page
    for other in (v for k, v in EVERY_DETAIL.items() if k != field and v != contact[field]):
        assert other.split("\n")[0] not in page
    response = door.post(REGISTER_CHECK, data={"csrf_token": hidden(page, "csrf_token"),
                                               "form_token": hidden(page, "form_token")})
    assert response.headers["Location"] == "/door/thank-you-choice"
    ana = db.session.scalar(select(Person).where(Person.first_name == "Ana"))
    stored = {"email": ana.email, "phone": ana.phone, "address": ana.address}
    assert stored == {k: (contact[field] if k == field else "") for k in stored}
    assert ana.contact_method.value == method and ana.consent_at is not None


@pytest.mark.parametrize("url,data,message", [
    ("/door/new/name", {"first_name": "", "last_name": "Costa"}, "Type your first name."),
    ("/door/new/name", {"first_name": "Ana", "last_name": ""}, "Type your last name."),
    ("/door/new/name", {"first_name": "A" * 101, "last_name": "Costa"},
     "Please write less. You can use up to 100 letters."),
    ("/door/new/role", {}, "Choose who you are in the group."),
    ("/door/new/role", {"role": "admin"}, "Choose who you are in the group."),
    ("/door/new/contact", {}, "Choose how we should contact you."),
    ("/door/new/format", {}, "Choose how you like to get information."),
    ("/door/new/consent", {}, "Tick the box so we can keep your details. If you do not want to, please talk to a "
                              "member of staff."),
])
def test_each_page_says_what_is_missing_with_its_own_message(door, url, data, message):
    earlier = PAGES[:PAGES.index(url)]
    for before in earlier:
        assert answer(door, before, {**ANA, **BY["text"][0]}).status_code == 302
    response = answer(door, url, data)
    page = text(response)
    assert response.status_code == 400 and message in page and "There is a problem" in page
    assert page.count('class="error-message"') == 1  # one thing at a time
    assert door.get("/door/new").headers["Location"] == url  # nothing kept from the refused page


@pytest.mark.parametrize("method,data,message", [
    ("email", {}, "Type your email address, or choose another way to contact you."),
    ("email", {"email": "ana at example"}, "Type your email address like this: name@example.org"),
    ("phone", {}, "Type your phone number, or choose another way to contact you."),
    ("text", {"phone": "call me"}, "Type your phone number using numbers, like 07700 900123."),
    ("post", {}, "Type your address, or choose another way to contact you."),
    ("post", {"address": "x" * 1001}, "Please write less. You can use up to 1000 letters."),
])
def test_the_detail_page_says_what_is_wrong(door, method, data, message):
    response = register(door, {**ANA, "contact_method": method, **data})
    assert response.status_code == 400 and message in text(response)
    assert response.request.path == "/door/new/detail" and people() == 1


def test_an_answer_too_long_to_keep_in_the_visit_is_refused_not_lost(door):
    """The answers travel in the session cookie (sealed and compressed); one that would make it too big for a
    browser to keep asks for a shorter answer instead of being silently dropped."""
    rng = random.Random(14)
    address = "".join(chr(rng.randrange(0x1F300, 0x1FAFF)) for _ in range(1000))  # 4 bytes each, not repeating
    response = register(door, {**ANA, "contact_method": "post", "address": address})
    assert response.status_code == 400 and "Please write a shorter answer." in text(response)
    assert door.get("/door/new").headers["Location"] == "/door/new/detail"
    assert len(door.get_cookie("hub_session").value) < 4000


def test_change_returns_to_check_your_answers(door):
    page = text(register(door, {**ANA, **BY["text"][0]}, save=False))
    links = {hidden_text: href for href, hidden_text in
                 re.findall(r'<a class="summary__change" href="([^"]+)">Change<span class="visually-hidden"> ([^<]+)'
                            r"</span></a>", page)}
    assert list(links) == ["your name", "who you are in the group", "how we contact you", "your phone number",
                           "how you like to get information", "if we can keep your details"]
    href = links["your name"].replace("&amp;", "&")
    page = text(door.get(href))
    assert 'value="Ana"' in page and f'href="{REGISTER_CHECK}"' in page  # Back goes to the check page too
    response = door.post(href, data={"csrf_token": hidden(page, "csrf_token"),
                                     "form_token": hidden(page, "form_token"), "first_name": "Anna",
                                     "last_name": "Costa"})
    assert response.headers["Location"] == REGISTER_CHECK
    assert "Anna Costa" in text(door.get(REGISTER_CHECK))


def test_changing_the_way_of_contact_asks_the_new_detail_and_drops_the_old(door):
    register(door, {**ANA, **BY["email"][0]}, save=False)
    href = "/door/new/contact?change=1"
    response = answer(door, href, {"contact_method": "post"})
    assert response.headers["Location"] == "/door/new/detail?change=1"  # the new detail first
    page = text(door.get("/door/new/detail?change=1"))
    assert h1(page) == "What is your address?" and "Step 4 of 6" in page
    assert door.get(REGISTER_CHECK).headers["Location"] == "/door/new/detail"  # not done without it
    response = answer(door, "/door/new/detail?change=1", {"address": "1 High Street"})
    assert response.headers["Location"] == REGISTER_CHECK
    page = text(door.get(REGISTER_CHECK))
    assert "1 High Street" in page and "ana@example.org" not in page
    door.post(REGISTER_CHECK, data={"csrf_token": hidden(page, "csrf_token"), "form_token": hidden(page, "form_token")})
    ana = db.session.scalar(select(Person).where(Person.first_name == "Ana"))
    assert (ana.email, ana.address, ana.contact_method.value) == ("", "1 High Street", "post")


def test_changing_between_phone_and_text_keeps_the_number(door):
    register(door, {**ANA, **BY["phone"][0]}, save=False)
    response = answer(door, "/door/new/contact?change=1", {"contact_method": "text"})
    assert response.headers["Location"] == REGISTER_CHECK
    assert "07700 900999" in text(door.get(REGISTER_CHECK))


def test_back_shows_each_earlier_page_with_what_was_typed(door):
    for url in PAGES[:3]:
        answer(door, url, {**ANA, **BY["post"][0]})
    page = text(door.get("/door/new/detail"))
    assert 'href="/door/new/contact"' in page  # the page's Back link
    page = text(door.get("/door/new/contact"))
    assert re.search(r'value="post" checked', page) and 'href="/door/new/role"' in page
    assert re.search(r'value="carer" checked', text(door.get("/door/new/role")))
    page = text(door.get("/door/new/name"))
    assert 'value="Ana"' in page and 'value="Costa"' in page and 'href="/door/"' in page
    # Going on from an earlier page goes to the next one, not back to the start.
    assert answer(door, "/door/new/name", ANA).headers["Location"] == "/door/new/role"


@pytest.mark.parametrize("url", PAGES[1:] + [REGISTER_CHECK])
def test_a_later_page_with_earlier_answers_missing_goes_to_the_first_missing(door, url):
    assert door.get(url).headers["Location"] == "/door/new/name"
    answer(door, "/door/new/name", ANA)
    expected = url if url == "/door/new/role" else "/door/new/role"
    response = door.get(url)
    assert (response.status_code == 200) if url == expected else (response.headers["Location"] == expected)
    # A POST straight to a later page keeps nothing either.
    token = door.csrf_token("/door/new/role")
    response = door.post("/door/new/format", data={"csrf_token": token, "information_format": "audio"})
    assert response.headers["Location"] == "/door/new/role"


def test_nothing_typed_is_in_an_address_or_readable_in_the_cookie(door):
    secret = {"first_name": "Zuzanna", "last_name": "Wójcik", "contact_method": "email",
              "email": "zuzanna.w@example.org"}
    locations = []
    url = door.get("/door/new").headers["Location"]
    while url != REGISTER_CHECK:
        page = text(door.get(url))
        assert 'action="' not in page.split('<form method="post" novalidate')[1].split(">")[0]  # posts to itself
        response = answer(door, url, {**ANA, **secret})
        url = response.headers["Location"]
        locations.append(url)
    assert len(locations) == 6
    for value in ("Zuzanna", "W%C3%B3jcik", "Wójcik", "zuzanna", "example.org", "carer", "email"):
        assert not any(value in loc for loc in locations), value
    cookie = door.get_cookie("hub_session").value
    payload = cookie.split(".")[1] if cookie.startswith(".") else cookie.split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    readable = zlib.decompress(raw) if cookie.startswith(".") else raw
    assert b'"visit"' in readable  # the session itself is there...
    for value in (b"Zuzanna", b"zuzanna", b"example.org", b"carer"):
        assert value not in readable  # ...but the answers are sealed


def test_start_again_and_the_idle_reset_forget_the_answers(door):
    answer(door, "/door/new/name", ANA)
    answer(door, "/door/new/role", ANA)
    start_again(door)
    assert door.get("/door/new").headers["Location"] == "/door/new/name"
    assert 'value="Ana"' not in text(door.get("/door/new/name"))

    answer(door, "/door/new/name", ANA)
    with door.session_transaction() as sess:  # the tablet left alone for longer than the visit lasts
        sess["visit"] = {**sess["visit"], "at": sess["visit"]["at"] - kiosk.VISIT_IDLE_SECONDS - 1}
    assert door.get("/door/new").headers["Location"] == "/door/new/name"
    assert 'value="Ana"' not in text(door.get("/door/new/name"))


def test_after_saving_the_next_person_starts_from_nothing(door):
    assert register(door, {**ANA, **BY["text"][0]}).headers["Location"] == "/door/thank-you-choice"
    assert door.get("/door/new").headers["Location"] == "/door/new/name"
    assert 'value="Ana"' not in text(door.get("/door/new/name"))


def test_signing_in_instead_forgets_the_answers(door, sample):
    from tests.test_door import sign_in_as

    answer(door, "/door/new/name", ANA)
    sign_in_as(door)
    assert door.get("/door/new").headers["Location"] == "/door/new/name"
    assert 'value="Ana"' not in text(door.get("/door/new/name"))


def test_a_double_tap_or_a_retry_on_save_saves_one_person(door):
    page = text(register(door, {**ANA, **BY["text"][0]}, save=False))
    data = {"csrf_token": hidden(page, "csrf_token"), "form_token": hidden(page, "form_token")}
    responses = [door.post(REGISTER_CHECK, data=data) for _ in range(3)]
    assert [r.headers["Location"] for r in responses] == ["/door/thank-you-choice"] * 3
    assert people() == 2  # the sample person and Ana


def test_a_second_tab_saves_one_person(door):
    """Two tabs of one tablet share the visit: tab A shows "Check your answers", tab B answers the same
    pages and saves; tab A's Save then saves nobody else."""
    tab_a = text(register(door, {**ANA, **BY["text"][0]}, save=False))
    tab_b = text(door.get(REGISTER_CHECK))
    assert hidden(tab_a, "form_token") != hidden(tab_b, "form_token")
    saved = door.post(REGISTER_CHECK, data={"csrf_token": hidden(tab_b, "csrf_token"),
                                            "form_token": hidden(tab_b, "form_token")})
    assert saved.headers["Location"] == "/door/thank-you-choice"
    response = door.post(REGISTER_CHECK, data={"csrf_token": hidden(tab_a, "csrf_token"),
                                               "form_token": hidden(tab_a, "form_token")})
    assert response.status_code == 409 and "This screen was for someone else" in text(response)
    assert people() == 2


def test_a_check_page_from_before_start_again_saves_nothing(door):
    page = text(register(door, {**ANA, **BY["text"][0]}, save=False))
    start_again(door)
    response = door.post(REGISTER_CHECK, data={"csrf_token": hidden(page, "csrf_token"),
                                               "form_token": hidden(page, "form_token")})
    assert response.status_code == 409 and people() == 1
