"""The open group link and door votes cannot be flooded (issue 11, item 3): one-time tokens are issued and
signed by the server, anonymous posting is limited per client address, a door visit votes once per
suggestion, open-link suggestions are held from the public until an organiser has looked at them, and
the public suggestions page is paged."""
import re
import time
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import func, insert, select, update

from forms.tokens import (
    FORM_TOKEN_MAX_AGE,
    FORM_TOKEN_SALT,
    NONCE_CHARS,
    VISIT_TAG_CHARS,
    form_token_signer,
    token_visit_tag,
)
from survey_app import create_app
from survey_app.models import (
    AccessNeed,
    ChecklistResponse,
    FormToken,
    Invitation,
    Person,
    RateHit,
    Suggestion,
    SuggestionStatus,
    SuggestionVote,
)
from survey_app.models.base import london_today, utcnow
from survey_app.privacy.retention import FORM_TOKEN_DAYS
from survey_app.web.extensions import db
from tests.conftest import CheckingClient, _config
from tests.door_helpers import attended_count, hidden, picks, register

NOT_OURS = "Something went wrong on our side. Please press the button again."
TOO_OLD = "This page was open for a long time, so we could not save it yet."
TOO_MANY = ("Thank you for your ideas. We cannot take any more from this internet connection for now. "
            "Please send this one again in an hour: what you wrote is still below.")
NOT_SHOWN_YET = "New from the group link: not shown publicly until you look at it."
LINK_TOKEN = "p" * 40


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def text(response) -> str:
    return response.get_data(as_text=True)


def token_from(app, seconds_ago: int = 0, key: str | None = None, like: str | None = None) -> str:
    """A one-time token signed `seconds_ago`, with the app's key (or another); for the door visit that the
    token `like` (taken from a page) was issued in, so only its age or key is wrong."""

    class Then(TimestampSigner):
        def get_timestamp(self):
            return int(time.time()) - seconds_ago

    tag = token_visit_tag(like) if like else "n" * VISIT_TAG_CHARS
    return Then(key or app.config["SECRET_KEY"], salt=FORM_TOKEN_SALT).sign("n" * NONCE_CHARS + tag).decode()


def forged(app, like: str | None = None) -> str:
    """Well formed, and signed, but not by this server: what a browser inventing its own token can do."""
    return token_from(app, key="not-the-server-key-0123456789abcdef", like=like)


@pytest.fixture
def invited(sample):
    """A personal link for the sample person, and the meeting's checklist open on the tablet."""
    db.session.add(Invitation(token=LINK_TOKEN, meeting_id=sample["meeting"].id, person_id=sample["person"].id))
    sample["meeting"].checklist_open = True
    sample["person"].language = "en"  # the personal link's pages are in the person's language
    db.session.commit()
    return sample


@pytest.fixture
def public(app):
    return app.test_client()


# Every form with a one-time token, with what it saves: (url, the page its token comes from, data, model).
def _forms(sample):
    gid = sample["group"].id
    return {
        "door suggestion": ("/door/suggest", "/door/suggest", {"what": "Buses on Sundays"}, Suggestion),
        "door registration": ("/door/new/check", "/door/new/check", {}, Person),  # Save: see _client_for
        "door support": ("/door/support", "/door/support", {"need_other": "y", "other_detail": "A quiet room",
                                                           "remember": "no"}, AccessNeed),
        "door checklist": ("/door/checklist/8", "/door/checklist", {"change": "Shorter meetings", "next": "1"},
                           ChecklistResponse),
        "personal link support": (f"/invite/{LINK_TOKEN}/support", f"/invite/{LINK_TOKEN}/support",
                                  {"need_other": "y", "other_detail": "A quiet room", "remember": "no"}, AccessNeed),
        "personal link suggestion": (f"/invite/{LINK_TOKEN}/suggest", f"/invite/{LINK_TOKEN}/suggest",
                                     {"what": "Buses on Sundays"}, Suggestion),
        "group link": (f"/have-your-say/{gid}", f"/have-your-say/{gid}", {"what": "Buses on Sundays"}, Suggestion),
    }


FORMS = ["door suggestion", "door registration", "door support", "door checklist", "personal link support",
         "personal link suggestion", "group link"]
TYPED = {"door suggestion": "Buses on Sundays", "door registration": "1 High Street",
         "door support": "A quiet room", "door checklist": "Shorter meetings",
         "personal link support": "A quiet room", "personal link suggestion": "Buses on Sundays",
         "group link": "Buses on Sundays"}


def _client_for(which, app, door):
    if which.startswith("door"):
        if which == "door support":
            from tests.test_door import sign_in_as
            sign_in_as(door)
        if which == "door registration":  # the answers are kept in the visit, page by page, before Save
            register(door, {"first_name": "Ana", "last_name": "Costa", "role": "carer", "contact_method": "post",
                            "information_format": "easy_read", "consent": "y", "address": "1 High Street"},
                     save=False)
        return door
    return app.test_client()


def _bad_token(app, how, like: str | None = None):
    return {"made up": "a" * 24,  # what any browser could send before tokens were signed
            "signed elsewhere": forged(app, like),
            "expired": token_from(app, seconds_ago=FORM_TOKEN_MAX_AGE + 60, like=like)}[how]


@pytest.mark.parametrize("how", ["made up", "expired"])
@pytest.mark.parametrize("which", FORMS)
def test_a_token_the_server_did_not_issue_or_issued_too_long_ago_saves_nothing(app, door, invited, which, how):
    _refused_then_saved(app, door, invited, which, how)


def test_a_well_formed_token_signed_with_another_key_saves_nothing(app, door, invited):
    _refused_then_saved(app, door, invited, "group link", "signed elsewhere")


def _refused_then_saved(app, door, invited, which, how):
    url, token_page, data, model = _forms(invited)[which]
    client = _client_for(which, app, door)
    before, used = count(model), count(FormToken)
    page = text(client.get(token_page))
    bad = _bad_token(app, how, like=hidden(page, "form_token"))
    response = client.post(url, data={"csrf_token": hidden(page, "csrf_token"), **data, "form_token": bad})
    page = text(response)
    assert response.status_code == 400
    assert (TOO_OLD if how == "expired" else NOT_OURS) in page
    assert TYPED[which] in page  # the form again, with what was typed
    assert count(model) == before and count(FormToken) == used
    fresh = hidden(page, "form_token")
    assert fresh != bad
    response = client.post(url, data={"csrf_token": hidden(page, "csrf_token"), **data, "form_token": fresh})
    assert response.status_code == 302 and count(model) == before + 1


def test_a_token_just_inside_its_lifetime_is_accepted(app, door):
    page = text(door.get("/door/suggest"))
    data = {"csrf_token": hidden(page, "csrf_token"), "what": "Buses",
            "form_token": token_from(app, seconds_ago=FORM_TOKEN_MAX_AGE - 60, like=hidden(page, "form_token"))}
    assert door.post("/door/suggest", data=data).headers["Location"] == "/door/thanks"
    assert count(Suggestion) == 1


@pytest.mark.parametrize("how", ["made up", "signed elsewhere", "expired"])
def test_a_sign_in_or_vote_with_a_token_the_server_did_not_issue_counts_nothing(app, door, sample, how):
    bad = _bad_token(app, how, like=hidden(text(door.get("/door/suggest")), "form_token"))
    page = text(door.submit("/door/sign-in", {"name": "dor"}))
    pick, _name = picks(page)[0]
    response = door.post("/door/sign-in/confirm", data={"csrf_token": hidden(page, "csrf_token"), "pick": pick,
                                                        "form_token": bad})
    assert response.headers["Location"] == "/door/sign-in" and attended_count() == 0
    suggestion = Suggestion(group_id=sample["group"].id, what="Buses", source="door")
    db.session.add(suggestion)
    db.session.commit()
    response = door.post("/door/vote", data={"csrf_token": hidden(page, "csrf_token"), "form_token": bad,
                                             "suggestion": str(suggestion.id), "page": "1"})
    assert response.status_code == 400 and count(SuggestionVote) == 0 and count(FormToken) == 0


def test_a_replayed_token_saves_once(app, public, sample):
    url = f"/have-your-say/{sample['group'].id}"
    page = text(public.get(url))
    data = {"csrf_token": hidden(page, "csrf_token"), "form_token": hidden(page, "form_token"), "what": "Parking"}
    for _ in range(5):
        assert public.post(url, data=data).headers["Location"] == f"{url}/thanks"
    assert count(Suggestion) == 1 and count(FormToken) == 1


def test_a_token_whose_claim_retention_has_deleted_is_too_old_to_use_again(app, door, runner):
    """Retention deletes a used token's row once it is more than FORM_TOKEN_DAYS old; a token used on that
    day was issued at least FORM_TOKEN_DAYS days ago, past its lifetime, so a replay is still refused."""
    assert FORM_TOKEN_MAX_AGE < FORM_TOKEN_DAYS * 24 * 3600
    used_on = london_today() - timedelta(days=FORM_TOKEN_DAYS + 1)  # the newest row retention removes today
    page = text(door.get("/door/suggest"))
    issued = token_from(app, seconds_ago=FORM_TOKEN_DAYS * 24 * 3600,  # younger than any token used that day
                        like=hidden(page, "form_token"))
    db.session.execute(insert(FormToken).values(token=issued, used_on=used_on))
    db.session.commit()
    result = runner.invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert count(FormToken) == 0
    response = door.post("/door/suggest", data={"csrf_token": hidden(page, "csrf_token"), "form_token": issued,
                                                "what": "Replayed"})
    assert response.status_code == 400 and TOO_OLD in text(response) and count(Suggestion) == 0


def test_a_token_is_short_enough_to_store_and_unique(app):
    with app.test_request_context("/"):
        from forms.tokens import new_form_token
        tokens = {new_form_token() for _ in range(100)}
    assert len(tokens) == 100 and all(len(t) <= 64 for t in tokens)
    assert form_token_signer(app.config["SECRET_KEY"]).validate(next(iter(tokens)))


# --- The group link: limited per client address --------------------------------------------------------------------

def _post_idea(client, url, what, **environ):
    page = text(client.get(url, **environ))
    return client.post(url, data={"csrf_token": hidden(page, "csrf_token"), "form_token": hidden(page, "form_token"),
                                  "what": what, "why": "It matters"}, **environ)


def test_eleven_ideas_in_an_hour_from_one_address_the_eleventh_is_refused(app, sample):
    url = f"/have-your-say/{sample['group'].id}"
    one = {"environ_base": {"REMOTE_ADDR": "203.0.113.10"}}
    client = app.test_client()
    for i in range(10):
        assert _post_idea(client, url, f"Idea {i}", **one).status_code == 302
    response = _post_idea(client, url, "The eleventh idea", **one)
    page = text(response)
    assert response.status_code == 429 and response.headers["Retry-After"] == "3600"
    assert TOO_MANY in page and ">The eleventh idea</textarea>" in page and ">It matters</textarea>" in page
    assert 'class="participant' in page  # the participant layout, not a bare error page
    assert count(Suggestion) == 10 and count(FormToken) == 10 and count(RateHit) == 10
    # Pressing again later works with the same page: its token was not used up.
    token = hidden(page, "form_token")
    db.session.execute(update(RateHit).values(at=utcnow() - timedelta(minutes=61)))
    db.session.commit()
    response = client.post(url, data={"csrf_token": hidden(page, "csrf_token"), "form_token": token,
                                      "what": "The eleventh idea"}, **one)
    assert response.status_code == 302 and count(Suggestion) == 11
    # Another address is not held back by the first one.
    other = app.test_client()
    assert _post_idea(other, url, "From elsewhere", environ_base={"REMOTE_ADDR": "203.0.113.11"}).status_code == 302
    assert count(Suggestion) == 12


def test_behind_a_proxy_the_forwarded_address_is_counted(database_url, app, sample):
    proxied = create_app(_config(database_url, PROXY_HOPS=1, GROUP_LINK_SUGGESTIONS_PER_HOUR=2))
    proxied.test_client_class = CheckingClient
    url = f"/have-your-say/{sample['group'].id}"
    client = proxied.test_client()
    first = {"headers": {"X-Forwarded-For": "198.51.100.1"}}
    try:
        assert [_post_idea(client, url, f"Idea {i}", **first).status_code for i in range(3)] == [302, 302, 429]
        # The same proxy (the same REMOTE_ADDR), another client behind it: counted on its own.
        response = _post_idea(client, url, "Another person", headers={"X-Forwarded-For": "198.51.100.2"})
        assert response.status_code == 302
    finally:
        with proxied.app_context():
            db.engine.dispose()
    assert count(Suggestion) == 3


def test_door_and_personal_link_suggestions_are_not_limited_per_address(app, door, invited):
    app.config["GROUP_LINK_SUGGESTIONS_PER_HOUR"] = 1
    for i in range(3):
        assert _post_idea(door, "/door/suggest", f"Door idea {i}").status_code == 302
    home = app.test_client()
    for i in range(3):
        assert _post_idea(home, f"/invite/{LINK_TOKEN}/suggest", f"Home idea {i}").status_code == 302
    assert count(Suggestion) == 6 and count(RateHit) == 0


# --- Door votes: once per suggestion per visit ---------------------------------------------------------------------

def test_fifty_votes_from_one_visit_count_once(door, sample):
    suggestion = Suggestion(group_id=sample["group"].id, what="Buses", source="door")
    db.session.add(suggestion)
    db.session.commit()
    for _ in range(50):
        page = text(door.get("/door/vote"))  # a fresh, server-issued token every time
        tokens = re.findall(r'name="form_token" value="([^"]+)"', page)
        token = tokens[0] if tokens else hidden(text(door.get("/door/suggest")), "form_token")
        door.post("/door/vote", data={"csrf_token": hidden(page, "csrf_token"), "form_token": token,
                                      "suggestion": str(suggestion.id), "page": "1"})
    assert count(SuggestionVote) == 1
    assert "You have voted for this." in text(door.get("/door/vote"))
    # The next person's visit votes again.
    door.post("/door/start-again", data={"csrf_token": door.csrf_token("/door/")})
    page = text(door.get("/door/vote"))
    door.post("/door/vote", data={"csrf_token": hidden(page, "csrf_token"), "form_token": hidden(page, "form_token"),
                                  "suggestion": str(suggestion.id), "page": "1"})
    assert count(SuggestionVote) == 2


# --- Open-link suggestions wait for an organiser -------------------------------------------------------------------

def test_an_open_link_suggestion_is_public_only_once_an_organiser_has_looked_at_it(app, door, invited):
    gid = invited["group"].id
    visitor = app.test_client()
    assert _post_idea(visitor, f"/have-your-say/{gid}", "From the open link").status_code == 302
    assert "will read your idea before it goes on the group's public page" in text(
        visitor.get(f"/have-your-say/{gid}/thanks"))
    assert _post_idea(door, "/door/suggest", "From the door").status_code == 302
    assert _post_idea(app.test_client(), f"/invite/{LINK_TOKEN}/suggest", "From a personal link").status_code == 302

    public_page = text(visitor.get(f"/public/groups/{gid}/suggestions"))
    assert "From the door" in public_page and "From a personal link" in public_page
    assert "From the open link" not in public_page and "Waiting for an answer: 2" in public_page
    assert "From the open link" not in text(door.get("/door/vote"))  # nor on the tablet's votes

    staff = app.test_client()
    staff.submit("/login", {"email": door.organiser.email, "password": "correct horse battery"})
    held = db.session.scalar(select(Suggestion).where(Suggestion.what == "From the open link"))
    listing = text(staff.get(f"/groups/{gid}/suggestions"))
    assert listing.count(NOT_SHOWN_YET) == 1
    triage = text(staff.get(f"/suggestions/{held.id}/triage"))
    assert NOT_SHOWN_YET in triage
    assert "From the open link" not in text(visitor.get(f"/public/groups/{gid}/suggestions"))  # opening is not enough
    response = staff.submit(f"/suggestions/{held.id}/triage", {"status": "new", "planned_meeting": "", "reason": ""})
    assert response.status_code == 302
    public_page = text(visitor.get(f"/public/groups/{gid}/suggestions"))
    assert "From the open link" in public_page and "Waiting for an answer: 3" in public_page
    assert NOT_SHOWN_YET not in text(staff.get(f"/groups/{gid}/suggestions"))
    assert "From the open link" in text(door.get("/door/vote"))


# --- The public page is paged --------------------------------------------------------------------------------------

def test_the_public_page_with_3000_suggestions_is_paged_and_its_counts_are_right(app, public, sample):
    gid = sample["group"].id
    statuses = [SuggestionStatus.PLANNED] * 5 + [SuggestionStatus.NEW] * 2000 + [SuggestionStatus.COVERED] * 990 \
        + [SuggestionStatus.NOT_TAKEN_FORWARD] * 5
    rows = [{"group_id": gid, "what": f"Idea number {i} " + "words " * 150, "why": "", "name": "", "source": "door",
             "status": status, "reason": "Not ours" if status == SuggestionStatus.NOT_TAKEN_FORWARD else "",
             "planned_meeting_id": sample["meeting"].id if status == SuggestionStatus.PLANNED else None,
             "created_at": utcnow()} for i, status in enumerate(statuses)]
    rows += [{**rows[1000], "what": "Held from the open link", "source": "link"}] * 500  # not shown: not looked at
    db.session.execute(insert(Suggestion), rows)
    db.session.commit()
    url = f"/public/groups/{gid}/suggestions"
    first = public.get(url)
    page = text(first)
    assert first.status_code == 200 and len(first.data) < 60 * 1024
    assert page.count('class="meeting-card"') == 20
    for section, heading, n, start in (("planned", "Planned for a meeting", 5, ""),
                                       ("new", "Waiting for an answer", 2000, ""),
                                       ("covered", "Already talked about", 990, "?page=101"),
                                       ("not_taken_forward", "Not taken forward", 5, "?page=150")):
        assert f'<a href="{url}{start}#{section}">{heading}: {n}</a>' in page  # counts of every page
    assert "Page 1 of 150" in page and f'href="{url}?page=2"' in page and "Held from the open link" not in page
    last = text(public.get(f"{url}?page=150"))
    assert last.count('class="meeting-card"') == 20 and "Not taken forward: 5" in last
    assert "We are not taking this forward." in last and "Not ours" in last
    middle = text(public.get(f"{url}?page=101"))  # the end of one section and the start of the next
    assert 'id="new"' in middle and 'id="covered"' in middle
    for beyond in ("151", "0", "-1", "922337203685477580"):
        assert public.get(f"{url}?page={beyond}").status_code == 404
