"""A meeting's agenda (issue 15): planned suggestions and organisers' items, in the organiser's order, shown
with the purpose on the door, personal links, printed invitations and the group's public pages; never a name."""
import html
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from survey_app.insight import agenda, suggestions
from survey_app.models import (
    AgendaItem,
    AgendaSource,
    AuditEvent,
    Meeting,
    MeetingKind,
    MeetingMode,
    Role,
    Suggestion,
    SuggestionStatus,
)
from survey_app.models.base import utcnow
from survey_app.web.extensions import db
from survey_app.web.symbols import MEANINGS
from tests.conftest import FORM_TOKEN_RE, PASSWORD
from tests.door_helpers import assert_small
from tests.queries import count_queries
from tests.test_invitations import invite_and_link

NAME = "Hannah Brennan"
EMPTY_ITEM = "Write what the item is about."
PLANNED = SuggestionStatus.PLANNED


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def words(response) -> str:
    """The page's text with tags taken out and spaces collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text(response)))


def suggest(sample, what="Buses to the hospital", source="door", name=NAME) -> Suggestion:
    suggestion = Suggestion(group_id=sample["group"].id, what=what, why="I miss appointments", name=name,
                            source=source)
    db.session.add(suggestion)
    db.session.commit()
    return suggestion


def another_meeting(sample, days=14, title="Transport", kind=MeetingKind.MEETING) -> Meeting:
    start = sample["meeting"].starts_at + timedelta(days=days)
    meeting = Meeting(group_id=sample["group"].id, title=title, starts_at=start, ends_at=start + timedelta(hours=2),
                      mode=MeetingMode.ONLINE, online_details="A video call", kind=kind)
    db.session.add(meeting)
    db.session.commit()
    return meeting


def rows(meeting_id) -> list[tuple[str, AgendaSource, int | None]]:
    db.session.expire_all()
    return [(i.what, i.asked_by, i.suggestion_id) for i in agenda.items(meeting_id)]


def events(record_type="AgendaItem") -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.record_type == record_type)
                                   .order_by(AuditEvent.id)))


@pytest.fixture
def organiser(login_as):
    return login_as(Role.ORGANISER)


def add_item(client, meeting_id, what, easy_read=""):
    return client.submit(f"/meetings/{meeting_id}/agenda", {"what": what, "easy_read": easy_read})


def page_token(client, meeting_id) -> str:
    return FORM_TOKEN_RE.search(client.get(f"/meetings/{meeting_id}/agenda").get_data(as_text=True)).group(1)


def press(client, meeting_id, item_id, button, token=None):
    token = token or page_token(client, meeting_id)
    return client.post(f"/meetings/{meeting_id}/agenda/{item_id}/{button}",
                       data={"csrf_token": client.csrf_token(f"/meetings/{meeting_id}/agenda"), "form_token": token})


# --- Triage keeps the agenda in step ------------------------------------------------------------------------

def test_triage_adds_moves_and_removes_the_suggestions_item(app, sample, make_user):
    organiser = make_user(Role.ORGANISER)
    meeting, later = sample["meeting"], another_meeting(sample)
    own = AgendaItem(meeting_id=meeting.id, position=1, what="Welcome", asked_by=AgendaSource.ORGANISERS)
    db.session.add(own)
    db.session.commit()
    door_idea, link_idea = suggest(sample), suggest(sample, "Easy read letters", source="link")

    assert suggestions.triage(door_idea, PLANNED, organiser, planned_meeting_id=meeting.id) == {meeting.id}
    suggestions.triage(link_idea, PLANNED, organiser, planned_meeting_id=meeting.id)
    db.session.commit()
    assert rows(meeting.id) == [("Welcome", AgendaSource.ORGANISERS, None),
                                ("Buses to the hospital", AgendaSource.DOOR, door_idea.id),
                                ("Easy read letters", AgendaSource.WEB, link_idea.id)]
    # planned again for the same meeting: it stays where the organiser put it
    assert suggestions.triage(door_idea, PLANNED, organiser, planned_meeting_id=meeting.id) == set()
    # planned for another meeting: it moves to the end of that meeting's agenda
    assert suggestions.triage(door_idea, PLANNED, organiser, planned_meeting_id=later.id) == {meeting.id, later.id}
    db.session.commit()
    assert [w for w, _, _ in rows(meeting.id)] == ["Welcome", "Easy read letters"]
    assert rows(later.id) == [("Buses to the hospital", AgendaSource.DOOR, door_idea.id)]
    # anything else: off the agenda
    assert suggestions.triage(door_idea, SuggestionStatus.COVERED, organiser) == {later.id}
    suggestions.triage(link_idea, SuggestionStatus.NOT_TAKEN_FORWARD, organiser, reason="Not ours to decide")
    db.session.commit()
    assert rows(later.id) == [] and [w for w, _, _ in rows(meeting.id)] == ["Welcome"]
    assert events() == ["create", "create", "agenda-move", "delete", "delete"]
    # and back again, at the end
    suggestions.triage(door_idea, PLANNED, organiser, planned_meeting_id=meeting.id)
    db.session.commit()
    assert [w for w, _, _ in rows(meeting.id)] == ["Welcome", "Buses to the hospital"]


def test_a_suggestion_from_a_personal_link_says_a_member_of_the_group(app, sample, make_user):
    idea = suggest(sample, source="invite")
    suggestions.triage(idea, PLANNED, make_user(Role.ORGANISER), planned_meeting_id=sample["meeting"].id)
    db.session.commit()
    assert rows(sample["meeting"].id)[0][1] == AgendaSource.GROUP
    assert str(AgendaSource.GROUP.label) == "Suggested by a member of the group"


def test_triage_through_the_page_puts_it_on_the_agenda(client, organiser, sample):
    idea = suggest(sample)
    response = client.submit(f"/suggestions/{idea.id}/triage",
                             {"status": "planned", "planned_meeting": str(sample["meeting"].id), "reason": ""})
    assert response.status_code == 302
    page = words(client.get(f"/meetings/{sample['meeting'].id}/agenda"))
    assert "Buses to the hospital" in page and "Suggested at the door" in page and NAME not in page


def test_erasure_leaves_no_name_on_an_agenda(app, sample, make_user):
    """An item copies only what was suggested, never the typed name that erasure clears."""
    idea = suggest(sample)
    suggestions.triage(idea, PLANNED, make_user(Role.ORGANISER), planned_meeting_id=sample["meeting"].id)
    db.session.commit()
    item = db.session.scalar(select(AgendaItem))
    assert NAME not in repr([getattr(item, c.key) for c in AgendaItem.__table__.columns])


# --- The organiser's agenda page ----------------------------------------------------------------------------

def test_add_change_reorder_and_remove_with_audit(client, organiser, sample):
    mid = sample["meeting"].id
    for what in ("Welcome", "Health checks", "Any other business"):
        response = add_item(client, mid, what)
        assert response.status_code == 302 and response.headers["Location"] == f"/meetings/{mid}/agenda"
    response = add_item(client, mid, "Tea break", easy_read="We have a cup of tea.")
    assert "Item added to the agenda." in text(client.get(response.headers["Location"]))
    assert rows(mid)[-1] == ("Tea break", AgendaSource.ORGANISERS, None)
    assert db.session.scalar(select(AgendaItem.easy_read).where(AgendaItem.what == "Tea break")) \
        == "We have a cup of tea."
    ids = dict(db.session.execute(select(AgendaItem.what, AgendaItem.id)).all())

    assert press(client, mid, ids["Tea break"], "move-up").status_code == 302
    assert press(client, mid, ids["Welcome"], "move-down").status_code == 302
    assert [w for w, _, _ in rows(mid)] == ["Health checks", "Welcome", "Tea break", "Any other business"]
    response = press(client, mid, ids["Health checks"], "move-up")
    assert "That item is at the top already." in text(client.get(response.headers["Location"]))

    edit = f"/meetings/{mid}/agenda/{ids['Welcome']}/edit"
    assert client.submit(edit, {"what": "Welcome and hellos", "easy_read": "We say hello."}).status_code == 302
    assert [w for w, _, _ in rows(mid)][1] == "Welcome and hellos"

    response = press(client, mid, ids["Any other business"], "remove")
    assert "Item removed from the agenda." in text(client.get(response.headers["Location"]))
    assert [w for w, _, _ in rows(mid)] == ["Health checks", "Welcome and hellos", "Tea break"]
    assert events() == ["create"] * 4 + ["agenda-move"] * 4 + ["update", "delete"]
    assert all(e.user_id == organiser.id for e in db.session.scalars(select(AuditEvent).where(
        AuditEvent.record_type == "AgendaItem")))


def test_who_asked_is_chosen_for_an_organisers_item_and_kept_for_a_suggestions(client, organiser, sample):
    mid = sample["meeting"].id
    page = text(client.get(f"/meetings/{mid}/agenda"))
    assert re.search(r'value="organisers"[^>]*checked|checked[^>]*value="organisers"', page)
    client.submit(f"/meetings/{mid}/agenda", {"what": "Buses", "easy_read": "", "asked_by": "group"})
    assert rows(mid) == [("Buses", AgendaSource.GROUP, None)]
    item = db.session.scalar(select(AgendaItem.id))
    client.submit(f"/meetings/{mid}/agenda/{item}/edit", {"what": "Buses", "easy_read": "", "asked_by": "door"})
    assert rows(mid) == [("Buses", AgendaSource.DOOR, None)]
    refused = client.submit(f"/meetings/{mid}/agenda", {"what": "Trains", "easy_read": "", "asked_by": "Hannah"})
    assert refused.status_code == 400 and "Choose who asked for it." in text(refused)

    idea = suggest(sample, "Letters")
    suggestions.triage(idea, PLANNED, organiser, planned_meeting_id=mid)
    db.session.commit()
    planned = agenda.item_of(idea.id).id
    edit = f"/meetings/{mid}/agenda/{planned}/edit"
    assert 'name="asked_by"' not in text(client.get(edit))
    assert client.submit(edit, {"what": "Easy read letters", "easy_read": "", "asked_by": "organisers"}) \
        .status_code == 302
    assert rows(mid)[-1] == ("Easy read letters", AgendaSource.DOOR, idea.id)
    assert idea.what == "Letters"


def test_removing_a_planned_suggestions_item_sends_it_back_to_new(client, organiser, sample):
    idea = suggest(sample)
    suggestions.triage(idea, PLANNED, organiser, planned_meeting_id=sample["meeting"].id)
    db.session.commit()
    item = db.session.scalar(select(AgendaItem))
    response = press(client, sample["meeting"].id, item.id, "remove")
    assert "The suggestion it came from is back to New, so you can decide again what happens to it." \
        in text(client.get(response.headers["Location"]))
    db.session.expire_all()
    assert idea.status == SuggestionStatus.NEW and idea.planned_meeting_id is None
    assert db.session.scalar(select(AgendaItem)) is None
    assert "agenda-remove" in events("Suggestion")


def test_an_empty_item_is_refused_with_a_plain_message_and_nothing_is_lost(client, organiser, sample):
    mid = sample["meeting"].id
    response = add_item(client, mid, "   ", easy_read="We talk about buses.")
    assert response.status_code == 400
    page = text(response)
    assert EMPTY_ITEM in page and "There is a problem" in page and "We talk about buses." in page
    assert page.count(EMPTY_ITEM) == 2  # the summary and the field
    assert rows(mid) == []
    too_long = add_item(client, mid, "x" * 2001)
    assert too_long.status_code == 400 and "Keep the item to 2,000 characters or fewer." in text(too_long)
    add_item(client, mid, "Buses")
    edit_item = db.session.scalar(select(AgendaItem))
    response = client.submit(f"/meetings/{mid}/agenda/{edit_item.id}/edit", {"what": "", "easy_read": ""})
    assert response.status_code == 400 and EMPTY_ITEM in text(response)
    assert rows(mid)[0][0] == "Buses"


def test_a_double_click_adds_moves_and_removes_once(client, organiser, sample):
    mid = sample["meeting"].id
    token = page_token(client, mid)
    csrf = client.csrf_token(f"/meetings/{mid}/agenda")
    data = {"csrf_token": csrf, "form_token": token, "what": "Buses", "easy_read": ""}
    assert client.post(f"/meetings/{mid}/agenda", data=data).status_code == 302
    again = client.post(f"/meetings/{mid}/agenda", data=data)
    assert again.status_code == 302 and "That was done already." in text(client.get(again.headers["Location"]))
    assert len(rows(mid)) == 1
    add_item(client, mid, "Letters")
    letters = db.session.scalar(select(AgendaItem.id).where(AgendaItem.what == "Letters"))
    token = page_token(client, mid)
    press(client, mid, letters, "move-up", token)
    press(client, mid, letters, "move-up", token)
    assert [w for w, _, _ in rows(mid)] == ["Letters", "Buses"]
    token = page_token(client, mid)
    assert press(client, mid, letters, "remove", token).status_code == 302
    second = press(client, mid, letters, "remove", token)  # the item is gone: still "done already", not 404
    assert second.status_code == 302 and "That was done already." in text(client.get(second.headers["Location"]))
    assert events().count("delete") == 1


def test_a_button_with_a_made_up_token_saves_nothing(client, organiser, sample):
    mid = sample["meeting"].id
    add_item(client, mid, "Buses")
    add_item(client, mid, "Letters")
    item = db.session.scalar(select(AgendaItem.id).where(AgendaItem.what == "Letters"))
    response = press(client, mid, item, "move-up", token="made-up")
    assert response.status_code == 400
    assert "Something went wrong on our side. Please press the button again." in text(response)
    assert [w for w, _, _ in rows(mid)] == ["Buses", "Letters"]


def test_an_item_of_another_meeting_is_not_found(client, organiser, sample):
    other = another_meeting(sample)
    add_item(client, other.id, "Buses")
    item = db.session.scalar(select(AgendaItem.id))
    assert client.get(f"/meetings/{sample['meeting'].id}/agenda/{item}/edit").status_code == 404
    assert press(client, sample["meeting"].id, item, "remove").status_code == 404
    assert len(rows(other.id)) == 1


@pytest.mark.parametrize("role,status", [("anonymous", 302), (Role.FINANCE, 403), (Role.ADMIN, 200)])
def test_only_organisers_and_admins_use_the_agenda_page(app, client, login_as, make_user, sample, role, status):
    mid = sample["meeting"].id
    item = AgendaItem(meeting_id=mid, position=1, what="Buses", asked_by=AgendaSource.ORGANISERS)
    db.session.add(item)
    db.session.commit()
    if role != "anonymous":
        login_as(role)
    assert client.get(f"/meetings/{mid}/agenda").status_code == status
    assert client.get(f"/meetings/{mid}/agenda/{item.id}/edit").status_code == status
    if status == 200:
        return
    posts = [f"/meetings/{mid}/agenda", *(f"/meetings/{mid}/agenda/{item.id}/{b}"
                                          for b in ("move-up", "move-down", "remove", "edit"))]
    for url in posts:
        assert client.post(url, data={"what": "Taken over", "form_token": "x"}).status_code in (302, 400, 403)
    assert rows(mid) == [("Buses", AgendaSource.ORGANISERS, None)]


def test_the_meeting_page_links_to_the_agenda_and_the_form_keeps_the_easy_read_purpose(client, organiser, sample):
    mid = sample["meeting"].id
    assert f'href="/meetings/{mid}/agenda"' in text(client.get(f"/meetings/{mid}"))
    page = text(client.get(f"/meetings/{mid}/edit"))
    assert "Purpose in easy read (optional)" in page
    data = {"group": str(sample["group"].id), "title": "Health checks", "purpose": "Talk about annual health checks.",
            "purpose_easy": "We talk about going to the doctor.", "date": "", "start_time": "10:00",
            "end_time": "12:00", "mode": "in_person", "venue_name": "Runcorn Library"}
    start = sample["meeting"].starts_at
    from survey_app.models.base import LONDON

    data["date"] = start.astimezone(LONDON).strftime("%Y-%m-%d")
    data["start_time"] = start.astimezone(LONDON).strftime("%H:%M")
    data["end_time"] = sample["meeting"].ends_at.astimezone(LONDON).strftime("%H:%M")
    response = client.submit(f"/meetings/{mid}/edit", data)
    assert response.status_code == 302, text(response)
    db.session.expire_all()
    assert db.session.get(Meeting, mid).purpose_easy == "We talk about going to the doctor."
    assert "We talk about going to the doctor." in words(client.get(f"/meetings/{mid}"))


def test_the_agenda_page_makes_the_same_queries_for_2_or_6_items(client, organiser, sample):
    mid = sample["meeting"].id

    def fill(n):
        db.session.add_all([AgendaItem(meeting_id=mid, position=100 + i, what=f"Item {i}",
                                       asked_by=AgendaSource.DOOR) for i in range(n)])
        db.session.commit()

    fill(2)
    client.get(f"/meetings/{mid}/agenda")
    with count_queries() as two:
        client.get(f"/meetings/{mid}/agenda")
    fill(4)
    with count_queries() as six:
        page = client.get(f"/meetings/{mid}/agenda")
    assert text(page).count('<li class="card">') == 6
    assert two["n"] == six["n"]


# --- Where people see it ------------------------------------------------------------------------------------

def plan_for(sample, organiser, what="Buses to the hospital"):
    idea = suggest(sample, what)
    suggestions.triage(idea, PLANNED, organiser, planned_meeting_id=sample["meeting"].id)
    item = db.session.scalar(select(AgendaItem).where(AgendaItem.suggestion_id == idea.id))
    item.easy_read = "How to get to the hospital."
    db.session.add(AgendaItem(meeting_id=sample["meeting"].id, position=99, what="Tea and biscuits",
                              asked_by=AgendaSource.ORGANISERS))
    sample["meeting"].purpose_easy = "We talk about going to the doctor."
    db.session.commit()


def test_the_door_welcome_shows_the_purpose_and_agenda_in_easy_read(door, sample, make_user):
    plan_for(sample, make_user(Role.ORGANISER))
    db.session.commit()
    from survey_app.participation import kiosk

    kiosk.forget_meeting(sample["meeting"].id)  # changed behind the pages' back in this test
    response = door.get("/door/")
    page = words(response)
    assert "What we will talk about" in page and "We talk about going to the doctor." in page
    assert "How to get to the hospital. Suggested at the door" in page
    assert "Tea and biscuits Added by the organisers" in page
    assert NAME not in page and "Buses to the hospital" not in page  # the easy read wording
    raw = text(response)
    assert 'id="sym-list-ordered"' in raw and 'id="sym-lightbulb"' in raw and 'id="sym-clipboard-list"' in raw


def test_the_door_shows_an_organisers_change_at_once(door, sample, app):
    from survey_app.access.accounts import create_user

    organiser_client = app.test_client()
    user = create_user("second@halton.example", "Second", Role.ORGANISER, PASSWORD)
    db.session.commit()
    assert organiser_client.submit("/login", {"email": user.email, "password": PASSWORD}).status_code == 302
    door.get("/door/")  # cached now, with no agenda
    add_item(organiser_client, sample["meeting"].id, "Parking at the library")
    assert "Parking at the library" in words(door.get("/door/"))
    item = db.session.scalar(select(AgendaItem.id))
    press(organiser_client, sample["meeting"].id, item, "remove")
    assert "Parking at the library" not in words(door.get("/door/"))


def test_the_door_welcome_stays_small_with_a_long_agenda(door, sample):
    mid = sample["meeting"].id
    sample["meeting"].purpose = "A long purpose. " * 300
    db.session.add_all([AgendaItem(meeting_id=mid, position=i, what=f"Item {i} " + "word " * 400,
                                   asked_by=AgendaSource.DOOR) for i in range(30)])
    db.session.commit()
    from survey_app.participation import kiosk

    kiosk.forget_meeting(mid)
    response = assert_small(door, "/door/")
    page = words(response)
    assert "Item 7" in page and "Item 8 " not in page and "And 22 more things." in page


def test_the_door_welcome_loads_the_agenda_in_one_query(door, sample):
    from survey_app.participation import kiosk

    mid = sample["meeting"].id
    kiosk.forget_meeting(mid)
    with count_queries() as none:
        door.get("/door/")
    db.session.add_all([AgendaItem(meeting_id=mid, position=i, what=f"Item {i}", asked_by=AgendaSource.DOOR)
                        for i in range(6)])
    db.session.commit()
    kiosk.forget_meeting(mid)
    with count_queries() as six:
        door.get("/door/")
    assert none["n"] == six["n"]
    with count_queries() as cached:
        door.get("/door/")
    assert cached["n"] < six["n"]


def test_the_personal_link_shows_the_agenda_in_their_format(app, client, organiser, sample):
    plan_for(sample, organiser)
    invitation = invite_and_link(client, sample)
    home = app.test_client()
    page = words(home.get(f"/invite/{invitation.token}"))  # Dorota asked for easy read, in Polish
    assert "We talk about going to the doctor." in page and "How to get to the hospital." in page
    assert "Zaproponowane przy wejściu" in page and NAME not in page  # "Suggested at the door"
    from survey_app.models import InformationFormat

    sample["person"].information_format = InformationFormat.STANDARD
    db.session.commit()
    page = words(home.get(f"/invite/{invitation.token}"))
    assert "Talk about annual health checks." in page and "Buses to the hospital" in page
    assert "How to get to the hospital." not in page and NAME not in page


def test_printed_invitations_show_the_agenda(client, organiser, sample):
    plan_for(sample, organiser)
    invite_and_link(client, sample)
    page = words(client.get(f"/meetings/{sample['meeting'].id}/invitations/print"))
    assert "What we will talk about" in page and "How to get to the hospital. Suggested at the door" in page
    assert "We talk about going to the doctor." in page and NAME not in page


def test_the_public_pages_show_the_next_meetings_with_their_agenda(client, organiser, sample):
    plan_for(sample, organiser)
    another_meeting(sample, title="A visit to the new clinic", kind=MeetingKind.VISIT)
    past = another_meeting(sample, days=-30, title="Last month")
    past.starts_at, past.ends_at = utcnow() - timedelta(days=30), utcnow() - timedelta(days=30, hours=-1)
    db.session.commit()
    gid = sample["group"].id
    page = words(client.get(f"/public/groups/{gid}/meetings"))
    assert "Our next meetings" in page and "Health checks" in page and "Talk about annual health checks." in page
    assert "Buses to the hospital Suggested at the door" in page and "Tea and biscuits" in page
    assert "A visit to the new clinic" not in page and NAME not in page
    easy = words(client.get(f"/public/groups/{gid}/meetings/easy-read"))
    assert "Our next meeting: Health checks" in easy and "We talk about going to the doctor." in easy
    assert "How to get to the hospital. Suggested at the door" in easy and NAME not in easy


def test_the_public_pages_make_the_same_queries_for_2_or_6_meetings(client, sample):
    gid = sample["group"].id

    def meetings(n, first):
        for i in range(n):
            m = another_meeting(sample, days=first + i, title=f"Meeting {first + i}")
            db.session.add_all([AgendaItem(meeting_id=m.id, position=j, what=f"Item {j}",
                                           asked_by=AgendaSource.GROUP) for j in range(i + 1)])
        db.session.commit()

    meetings(1, 1)  # with the sample meeting: 2
    counts = {}
    for url in (f"/public/groups/{gid}/meetings", f"/public/groups/{gid}/meetings/easy-read"):
        client.get(url)
        with count_queries() as counted:
            client.get(url)
        counts[url] = counted["n"]
    meetings(4, 2)
    for url, before in counts.items():
        with count_queries() as counted:
            client.get(url)
        assert counted["n"] == before, url
    assert len(agenda.upcoming(gid)) == agenda.UPCOMING_LIMIT


def test_every_agenda_picture_is_a_meaning():
    assert {source.symbol for source in AgendaSource} <= set(MEANINGS)
    assert {"agenda", "purpose"} <= set(MEANINGS)


def test_the_demo_has_an_agenda_on_todays_meeting(runner):
    from survey_app.cli.demo import TODAY_MEETING

    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    meeting = db.session.scalars(select(Meeting).order_by(Meeting.id)).all()[TODAY_MEETING]
    assert meeting.purpose_easy
    found = rows(meeting.id)
    assert [source for _, source, _ in found].count(AgendaSource.ORGANISERS) == 1
    assert len([s for _, _, s in found if s is not None]) == 2
    planned = db.session.scalars(select(Suggestion).where(Suggestion.status == PLANNED)).all()
    assert planned and all(agenda.item_of(s.id).meeting_id == s.planned_meeting_id for s in planned)


def test_the_personal_link_and_print_make_the_same_queries_for_2_or_6_items(app, client, organiser, sample):
    sample["person"].language = "en"  # the personal link in English, to read its words here
    db.session.commit()
    invitation = invite_and_link(client, sample)
    mid = sample["meeting"].id
    home = app.test_client()
    urls = [(home, f"/invite/{invitation.token}"), (client, f"/meetings/{mid}/invitations/print")]

    def fill(first, n):
        db.session.add_all([AgendaItem(meeting_id=mid, position=first + i, what=f"Item {first + i}",
                                       asked_by=AgendaSource.WEB) for i in range(n)])
        db.session.commit()

    fill(0, 2)
    before = []
    for who, url in urls:
        who.get(url)
        with count_queries() as counted:
            who.get(url)
        before.append(counted["n"])
    fill(2, 4)
    for (who, url), n in zip(urls, before):
        with count_queries() as counted:
            page = who.get(url)
        assert counted["n"] == n, url
        assert "Item 5" in words(page) and "Suggested on the group's web page" in words(page)
