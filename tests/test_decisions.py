"""Joint decisions recorded with the meeting notes, the actions that follow from them, the public notes pages
and the group's results that show them, and a checklist comment made into an action in one step."""
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from survey_app.insight import actions as actions_domain
from survey_app.insight import decisions
from survey_app.models import (
    Action,
    ActionStatus,
    AuditEvent,
    ChecklistResponse,
    Decision,
    Meeting,
    MeetingMode,
    Role,
)
from survey_app.models.base import london_today, utcnow
from survey_app.web.extensions import db
from tests.conftest import FORM_TOKEN_RE
from tests.queries import count_queries
from tests.test_actions import world  # noqa: F401 -- the same meeting three days ago, with its organiser

WHAT_ERROR = "Write what was decided."
MADE = "Action made from the comment. Say who will do it and by when."




@pytest.fixture
def organiser(client, login_as, world):
    login_as(Role.ORGANISER, user=world["organiser"])
    return client


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def events(record_type, action=None):
    query = select(AuditEvent).where(AuditEvent.record_type == record_type)
    if action:
        query = query.where(AuditEvent.action == action)
    return db.session.scalars(query.order_by(AuditEvent.id)).all()


def decide(world, what, meeting=None):
    decision = decisions.add_decision(meeting or world["meeting"], what, world["organiser"])
    db.session.commit()
    return decision


def follow(world, decision, what="Book an online room", owner="Meetings Coordinator"):
    action = actions_domain.create_action(world["group"].id, what, owner, london_today() + timedelta(days=10),
                                          world["organiser"], meeting_id=decision.meeting_id, decision_id=decision.id)
    db.session.commit()
    return action


def page_text(response):
    return response.get_data(as_text=True)


# Recording decisions on the notes page ------------------------------------------------------------------

def test_add_edit_and_remove_a_decision_with_the_audit_log(organiser, world):
    mid = world["meeting"].id
    notes = f"/meetings/{mid}/notes"
    form = organiser.get(notes)
    assert form.status_code == 200 and "No decisions recorded yet." in page_text(form)
    response = organiser.submit(f"/meetings/{mid}/decisions", {"what": "  We will meet online once a month.  "},
                                token_from=notes)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/meetings/{mid}/notes#decisions")
    decision = db.session.scalar(select(Decision))
    assert (decision.what, decision.meeting_id, decision.position) == ("We will meet online once a month.", mid, 1)
    assert decision.created_by_id == world["organiser"].id
    organiser.submit(f"/meetings/{mid}/decisions", {"what": "Papers come a week before."}, token_from=notes)
    assert [d.what for d in decisions.decisions_for(mid)] == ["We will meet online once a month.",
                                                              "Papers come a week before."]
    created = events("Decision", "create")
    assert len(created) == 2 and created[0].after["what"] == "We will meet online once a month."
    assert created[0].user_id == world["organiser"].id
    page = page_text(organiser.get(notes))
    assert "We will meet online once a month." in page and "Add an action that follows from this" in page

    edit = f"/decisions/{decision.id}"
    assert organiser.get(edit).status_code == 200
    response = organiser.submit(edit, {"what": "We will meet online twice a month."})
    assert response.status_code == 302
    assert db.session.get(Decision, decision.id).what == "We will meet online twice a month."
    changed = events("Decision", "update")
    assert len(changed) == 1 and changed[0].before["what"] == "We will meet online once a month."
    assert changed[0].after["what"] == "We will meet online twice a month."
    organiser.submit(edit, {"what": "We will meet online twice a month."})  # unchanged: no event
    assert len(events("Decision", "update")) == 1

    decision_id = decision.id
    response = organiser.post(f"/decisions/{decision_id}/remove", data={"csrf_token": organiser.csrf_token(edit)})
    assert response.status_code == 302
    db.session.expunge_all()
    assert db.session.get(Decision, decision_id) is None
    removed = events("Decision", "delete")
    assert len(removed) == 1 and removed[0].before["what"] == "We will meet online twice a month."
    assert "Decision removed." in page_text(organiser.get(notes))


def test_an_empty_decision_is_refused_with_the_exact_words(organiser, world):
    mid = world["meeting"].id
    response = organiser.submit(f"/meetings/{mid}/decisions", {"what": "   "}, token_from=f"/meetings/{mid}/notes")
    assert response.status_code == 400
    page = page_text(response)
    assert WHAT_ERROR in page and "<title>Error: Notes: " in page
    assert count(Decision) == 0
    edit_decision = decide(world, "Keep it.")
    response = organiser.submit(f"/decisions/{edit_decision.id}", {"what": ""})
    assert response.status_code == 400 and WHAT_ERROR in page_text(response)
    assert db.session.get(Decision, edit_decision.id).what == "Keep it."
    with pytest.raises(actions_domain.ActionError) as error:
        decisions.add_decision(world["meeting"], "  ", world["organiser"])
    assert str(error.value) == WHAT_ERROR


def test_a_double_tap_records_a_decision_once(organiser, world):
    mid = world["meeting"].id
    notes = page_text(organiser.get(f"/meetings/{mid}/notes"))
    token = FORM_TOKEN_RE.search(notes).group(1)
    data = {"csrf_token": organiser.csrf_token(f"/meetings/{mid}/notes"), "form_token": token,
            "what": "We will meet online once a month."}
    first = organiser.post(f"/meetings/{mid}/decisions", data=data)
    second = organiser.post(f"/meetings/{mid}/decisions", data=data)
    assert first.status_code == second.status_code == 302
    assert count(Decision) == 1 and len(events("Decision", "create")) == 1
    forged = organiser.post(f"/meetings/{mid}/decisions", data={**data, "form_token": "not-a-token"})
    assert forged.status_code == 400 and count(Decision) == 1


def test_removing_a_decision_keeps_its_actions_without_the_link(organiser, world):
    decision = decide(world, "We will meet online once a month.")
    action = follow(world, decision)
    edit = page_text(organiser.get(f"/decisions/{decision.id}"))
    assert "1 action follows from this decision. If you remove the decision, the action stays in the list but " \
           "is no longer linked to a decision." in edit
    decision_id, action_id = decision.id, action.id
    response = organiser.post(f"/decisions/{decision_id}/remove",
                              data={"csrf_token": organiser.csrf_token(f"/decisions/{decision_id}")},
                              follow_redirects=True)
    db.session.expunge_all()
    assert "Decision removed. Its 1 action is still in the list, no longer linked to a decision." in \
        page_text(response)
    kept = db.session.get(Action, action_id)
    assert kept is not None and kept.decision_id is None and kept.meeting_id is not None
    unlinked = events("Action", "update")
    assert unlinked[-1].before["decision_id"] == decision_id and unlinked[-1].after["decision_id"] is None
    again = organiser.post(f"/decisions/{decision_id}/remove",
                           data={"csrf_token": organiser.csrf_token(f"/meetings/{kept.meeting_id}/notes")})
    assert again.status_code == 302 and count(Action) == 1  # a second press changes nothing


@pytest.mark.parametrize("role,status", [(None, 302), (Role.FINANCE, 403), (Role.ORGANISER, 200),
                                         (Role.ADMIN, 200)])
def test_who_may_record_decisions(client, login_as, world, role, status):
    decision = decide(world, "We will meet online once a month.")
    if role:
        login_as(role)
    mid = world["meeting"].id
    assert client.get(f"/decisions/{decision.id}").status_code == status
    assert client.get(f"/meetings/{mid}/notes").status_code == status
    if status != 200:
        token = client.csrf_token("/finance/" if role else "/login")
        for url in (f"/meetings/{mid}/decisions", f"/decisions/{decision.id}", f"/decisions/{decision.id}/remove"):
            assert client.post(url, data={"csrf_token": token, "what": "Changed"}).status_code == status, url
        assert [d.what for d in decisions.decisions_for(mid)] == ["We will meet online once a month."]
        assert len(events("Decision")) == 1


# The action form: "Follows from decision" -----------------------------------------------------------------

def test_add_an_action_that_follows_from_a_decision(organiser, world):
    gid, mid = world["group"].id, world["meeting"].id
    decision = decide(world, "We will meet online once a month.")
    notes = page_text(organiser.get(f"/meetings/{mid}/notes"))
    link = f"/groups/{gid}/actions/new?meeting={mid}&amp;decision={decision.id}"
    assert link in notes
    url = link.replace("&amp;", "&")
    form = page_text(organiser.get(url))
    assert "Follows from decision (optional)" in form
    assert re.search(rf'<option selected value="{decision.id}">|<option value="{decision.id}" selected', form)
    response = organiser.submit(url, {"what": "Book an online room", "owner": "Meetings Coordinator",
                                      "due_on": (london_today() + timedelta(days=10)).isoformat(),
                                      "meeting": str(mid), "decision": str(decision.id)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/meetings/{mid}/notes")
    action = db.session.scalar(select(Action))
    assert action.decision_id == decision.id and action.meeting_id == mid
    assert events("Action", "create")[0].after["decision_id"] == decision.id
    notes = page_text(organiser.get(f"/meetings/{mid}/notes"))
    assert "Actions that follow from this:" in notes and "Book an online room" in notes
    # the edit page keeps the link, and offers the meeting's decisions
    edit = page_text(organiser.get(f"/actions/{action.id}"))
    assert "Follows from decision (optional)" in edit and "We will meet online once a month." in edit


def test_the_decision_select_shows_only_with_a_meeting_and_only_its_decisions(organiser, world):
    gid, mid = world["group"].id, world["meeting"].id
    decide(world, "We will meet online once a month.")
    other = Meeting(group=world["group"], title="Other", starts_at=utcnow() - timedelta(days=40),
                    ends_at=utcnow() - timedelta(days=40), mode=MeetingMode.IN_PERSON)
    db.session.add(other)
    db.session.commit()
    theirs = decide(world, "A decision of another meeting.", meeting=other)
    assert "Follows from decision" not in page_text(organiser.get(f"/groups/{gid}/actions/new"))
    form = page_text(organiser.get(f"/groups/{gid}/actions/new?meeting={mid}"))
    assert "Follows from decision" in form and "A decision of another meeting." not in form
    # a decision of another meeting is not one of the choices, so it is never linked
    organiser.submit(f"/groups/{gid}/actions/new?meeting={mid}",
                     {"what": "Something", "owner": "Carers Lead", "meeting": str(mid), "decision": str(theirs.id),
                      "due_on": (london_today() + timedelta(days=10)).isoformat()})
    assert db.session.scalar(select(Action.decision_id)) is None
    with pytest.raises(actions_domain.ActionError) as error:
        actions_domain.create_action(gid, "x", "y", None, world["organiser"], meeting_id=mid, decision_id=theirs.id)
    assert str(error.value) == "Choose a decision made at the meeting this action came from."
    assert error.value.field == "decision"
    db.session.rollback()


# The public pages ---------------------------------------------------------------------------------------

def test_public_notes_and_easy_read_show_decisions_and_their_actions_without_names(app, world):
    actions_domain.save_notes(world["meeting"], "We talked about meeting online.", world["organiser"])
    first = decide(world, "We will meet online once a month.")
    decide(world, "Papers will come in easy read.")
    follow(world, first, "Book an online room", owner="Meetings Coordinator")
    actions_domain.create_action(world["group"].id, "Ring the venue", "Carers Lead", None, world["organiser"],
                                 meeting_id=world["meeting"].id)
    db.session.commit()
    visitor = app.test_client()
    gid = world["group"].id
    for url in (f"/public/groups/{gid}/meetings", f"/public/groups/{gid}/meetings/easy-read"):
        response = visitor.get(url)
        assert response.status_code == 200
        page = page_text(response)
        for text in ("What we decided", "We will meet online once a month.", "Papers will come in easy read.",
                     "Book an online room", "Meetings Coordinator", "We have not started this yet.",
                     "Other things we said we would do", "Ring the venue"):
            assert text in page, (url, text)
        assert page.index("We will meet online once a month.") < page.index("Book an online room") \
            < page.index("Papers will come in easy read.") < page.index("Ring the venue")
        assert page.count("Book an online room") == 1  # under its decision, not twice
        for name in ("Dorota", "Nowak", "Priya", "Staffname"):
            assert name not in page, (url, name)
    easy = page_text(visitor.get(f"/public/groups/{gid}/meetings/easy-read"))
    assert "We decided:" in easy and "We decided this together." in easy and 'id="sym-handshake"' in easy
    full = page_text(visitor.get(f"/public/groups/{gid}/meetings"))
    assert '<bdi lang="en">We will meet online once a month.</bdi>' in full  # typed text marked as theirs


def test_decisions_of_a_future_meeting_are_not_public(app, world):
    decide(world, "A secret plan.")
    world["meeting"].starts_at = utcnow() + timedelta(days=3)
    world["meeting"].ends_at = world["meeting"].starts_at + timedelta(hours=1)
    db.session.commit()
    for url in (f"/public/groups/{world['group'].id}/meetings", f"/public/groups/{world['group'].id}/meetings/easy-read"):
        page = page_text(app.test_client().get(url))
        assert "A secret plan." not in page and "What we decided" not in page


def test_pages_with_decisions_make_the_same_number_of_queries_for_2_and_6(app, organiser, world):
    gid = world["group"].id
    visitor = app.test_client()

    def more_meetings(n):
        for i in range(n):
            m = Meeting(group=world["group"], title=f"Meeting {i}", starts_at=utcnow() - timedelta(days=10 + i),
                        ends_at=utcnow() - timedelta(days=10 + i), mode=MeetingMode.IN_PERSON)
            db.session.add(m)
            db.session.flush()
            d = decisions.add_decision(m, f"Decision {i}", world["organiser"])
            db.session.flush()
            actions_domain.create_action(gid, f"Follow {i}", "Lead", None, world["organiser"], meeting_id=m.id,
                                         decision_id=d.id)
            db.session.add(ChecklistResponse(meeting_id=m.id, responded_on=date(2026, 5, 1), achieved=4,
                                             outcomes=f"We agreed {i}"))
        db.session.commit()

    def counts(mid):
        urls = [(visitor, f"/public/groups/{gid}/meetings"), (visitor, f"/public/groups/{gid}/meetings/easy-read"),
                (organiser, f"/meetings/{mid}/notes"), (organiser, f"/groups/{gid}/results")]
        result = []
        for client, url in urls:
            client.get(url)
            with count_queries() as counter:
                assert client.get(url).status_code == 200
            result.append(counter["n"])
        return result

    for i in range(2):
        follow(world, decide(world, f"Here {i}"), f"Here action {i}")
    more_meetings(2)
    few = counts(world["meeting"].id)
    for i in range(4):
        follow(world, decide(world, f"More here {i}"), f"More action {i}")
    more_meetings(4)
    assert counts(world["meeting"].id) == few
    assert count(Decision) == 12


# The group's results page -------------------------------------------------------------------------------

def test_results_page_counts_decisions_next_to_what_came_out(organiser, world):
    meeting = world["meeting"]
    other = Meeting(group=world["group"], title="Earlier", starts_at=utcnow() - timedelta(days=30),
                    ends_at=utcnow() - timedelta(days=30), mode=MeetingMode.IN_PERSON)
    db.session.add(other)
    db.session.commit()
    for text in ("A bus leaflet", "", "  ", "We agreed to meet online"):
        db.session.add(ChecklistResponse(meeting_id=meeting.id, responded_on=date(2026, 5, 1), achieved=4,
                                         outcomes=text))
    db.session.add(ChecklistResponse(meeting_id=other.id, responded_on=date(2026, 4, 1), achieved=3, outcomes=""))
    db.session.commit()
    decide(world, "One")
    decide(world, "Two")
    decide(world, "Three")
    decide(world, "Before", meeting=other)
    assert decisions.decision_counts([meeting.id, other.id]) == {meeting.id: (3, 2), other.id: (1, 0)}
    page = page_text(organiser.get(f"/groups/{world['group'].id}/results"))
    assert "Decisions recorded" in page and "Said what came out of it" in page
    rows = re.findall(r'<tr><th scope="row"><a href="/meetings/(\d+)/notes">.*?</a></th><td class="num">(\d+)</td>'
                      r'<td class="num">(\d+)</td></tr>', page)
    assert rows == [(str(other.id), "1", "0"), (str(meeting.id), "3", "2")]
    assert re.search(r'<th scope="row">Total</th><td class="num">4</td><td class="num">2</td>', page)


# A checklist comment into an action --------------------------------------------------------------------------

def comment_forms(page):
    """(field, comment reference, one-time token) for each "Make this an action" button, in page order."""
    return re.findall(r'name="form_token" value="([^"]+)">\s*<input type="hidden" name="field" value="([^"]+)">\s*'
                      r'<input type="hidden" name="comment" value="([^"]+)">', page)


def answers(meeting, *comments):
    for fields in comments:
        db.session.add(ChecklistResponse(meeting_id=meeting.id, responded_on=date(2026, 5, 1), achieved=4, **fields))
    db.session.commit()


def test_a_comment_becomes_an_action_in_one_step(organiser, world):
    meeting = world["meeting"]
    answers(meeting, {"change": "Send the papers a week before."}, {"outcomes": "A bus leaflet"})
    url = f"/meetings/{meeting.id}/results"
    page = page_text(organiser.get(url))
    forms = comment_forms(page)
    assert len(forms) == 2 and page.count("Make this an action") == 3  # two buttons and the sentence about them
    token, field_name, ref = next(f for f in forms if f[1] == "change")
    response_ids = [str(i) for i in db.session.scalars(select(ChecklistResponse.id))]
    assert ref not in response_ids and all(f'value="{i}"' not in page for i in response_ids)
    data = {"csrf_token": organiser.csrf_token(url), "form_token": token, "field": field_name, "comment": ref}
    response = organiser.post(f"{url}/make-action", data=data)
    action = db.session.scalar(select(Action))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/actions/{action.id}")
    assert (action.what, action.owner, action.status, action.meeting_id, action.group_id) == (
        "Send the papers a week before.", "To be agreed", ActionStatus.NOT_STARTED, meeting.id, world["group"].id)
    assert action.created_by_id == world["organiser"].id
    assert action.suggestion_id is None and action.decision_id is None and action.owner_organisation_id is None
    created = events("Action", "create")
    assert len(created) == 1 and created[0].after["what"] == "Send the papers a week before."
    assert not any("response" in key for key in created[0].after)
    assert MADE in page_text(organiser.get(response.headers["Location"]))
    # a double tap: the same token makes no second action, and lands on the first one
    again = organiser.post(f"{url}/make-action", data=data)
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/actions/{action.id}")
    assert count(Action) == 1


def test_a_comment_of_another_meeting_is_not_found_and_a_bad_field_is_refused(organiser, world):
    meeting = world["meeting"]
    elsewhere = Meeting(group=world["group"], title="Elsewhere", starts_at=utcnow() - timedelta(days=9),
                        ends_at=utcnow() - timedelta(days=9), mode=MeetingMode.IN_PERSON)
    db.session.add(elsewhere)
    db.session.commit()
    answers(meeting, {"change": "Mine"})
    answers(elsewhere, {"change": "Theirs"})
    url = f"/meetings/{meeting.id}/results"
    token, _field, ref = comment_forms(page_text(organiser.get(url)))[0]
    foreign = db.session.scalar(select(ChecklistResponse.id).where(ChecklistResponse.meeting_id == elsewhere.id))
    csrf = organiser.csrf_token(url)
    for comment in (decisions.comment_ref(elsewhere.id, foreign, "change"),
                    decisions.comment_ref(meeting.id, foreign, "change"), str(foreign), ""):
        response = organiser.post(f"{url}/make-action", data={"csrf_token": csrf, "form_token": token,
                                                              "field": "change", "comment": comment})
        assert response.status_code == 404
    for field_name in ("achieved", "here_as", "", "nonsense"):
        response = organiser.post(f"{url}/make-action", data={"csrf_token": csrf, "form_token": token,
                                                              "field": field_name, "comment": ref})
        assert response.status_code == 400
    assert organiser.post(f"/meetings/{elsewhere.id}/results/make-action",
                          data={"csrf_token": csrf, "form_token": token, "field": "change",
                                "comment": ref}).status_code == 404
    assert count(Action) == 0
    assert organiser.post(f"{url}/make-action", data={"form_token": token, "field": "change",
                                                      "comment": ref}).status_code == 400  # no CSRF token
    assert count(Action) == 0


@pytest.mark.parametrize("role,status", [(None, 302), (Role.FINANCE, 403)])
def test_only_organisers_make_actions_from_comments(client, login_as, world, role, status):
    answers(world["meeting"], {"change": "Mine"})
    response_id = db.session.scalar(select(ChecklistResponse.id))
    if role:
        login_as(role)
    response = client.post(f"/meetings/{world['meeting'].id}/results/make-action",
                            data={"csrf_token": client.csrf_token("/finance/" if role else "/login"), "field": "change",
                                  "comment": decisions.comment_ref(world["meeting"].id, response_id, "change")})
    assert response.status_code == status and count(Action) == 0


def test_a_long_comment_is_trimmed_at_a_word():
    text = "word " * 200
    cut = decisions.trimmed(text)
    assert len(cut) <= decisions.COMMENT_ACTION_LIMIT and cut.endswith("word…")
    assert decisions.trimmed("  Short\n and   sweet ") == "Short and sweet"


def test_only_comments_the_page_shows_get_the_button(organiser, world):
    meeting = world["meeting"]
    answers(meeting, *[{"change": f"Staff {n}", "here_as": "staff"} for n in range(5)],
            {"change": "Carer words", "here_as": "carer"})
    everyone = page_text(organiser.get(f"/meetings/{meeting.id}/results"))
    assert len(comment_forms(everyone)) == 6
    carers = page_text(organiser.get(f"/meetings/{meeting.id}/results?here_as=carer"))
    assert "Carer words" not in carers and comment_forms(carers) == []
    staff = page_text(organiser.get(f"/meetings/{meeting.id}/results?here_as=staff"))
    # staff (5) would give the one carer's answers away by subtraction, so they are hidden too: no buttons
    assert "Staff 0" not in staff and comment_forms(staff) == []


def test_demo_data_has_decisions_one_with_an_action(app, runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    found = db.session.scalars(select(Decision).order_by(Decision.position)).all()
    assert len(found) == 2 and found[0].meeting_id == found[1].meeting_id
    meeting = db.session.get(Meeting, found[0].meeting_id)
    assert meeting.starts_at < utcnow() and actions_domain.notes_for(meeting.id) is not None
    following = db.session.scalars(select(Action).where(Action.decision_id.is_not(None))).all()
    assert [a.decision_id for a in following] == [found[0].id] and following[0].meeting_id == meeting.id
    page = page_text(app.test_client().get(f"/public/groups/{meeting.group_id}/meetings"))
    assert found[0].what in page and following[0].what in page
