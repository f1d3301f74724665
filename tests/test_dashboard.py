"""The dashboard shows what needs doing, in a fixed number of queries however much data there is."""
from datetime import timedelta

from sqlalchemy import insert

from survey_app.models import AccessNeed, Action, ActionStatus, Attendance, Person, Role, Suggestion
from survey_app.models.base import london_today
from survey_app.web.extensions import db
from tests.queries import count_queries


def add_people(sample, user, n, offset):
    rows = [{"first_name": f"P{offset + i}", "last_name": "Test", "search_name": f"p{offset + i} test",
             "contact_method": "email", "information_format": "standard", "role": "carer", "language": "en",
             "email": f"p{offset + i}@example.org"} for i in range(n)]
    db.session.execute(insert(Person), rows)
    db.session.commit()
    ids = [p.id for p in Person.query.filter(Person.first_name.in_([r["first_name"] for r in rows]))]
    meeting = sample["meeting"]
    db.session.execute(insert(Attendance), [{"meeting_id": meeting.id, "person_id": pid, "status": "invited"}
                                            for pid in ids])
    db.session.execute(insert(AccessNeed), [{"person_id": pid, "meeting_id": meeting.id, "kind": "bsl", "detail": ""}
                                            for pid in ids])
    db.session.execute(insert(Suggestion), [{"group_id": sample["group"].id, "what": f"Idea {pid}", "why": "",
                                             "name": "", "source": "door", "status": "new", "reason": ""}
                                            for pid in ids])
    db.session.execute(insert(Action), [{"group_id": sample["group"].id, "what": f"Do {pid}", "owner": "Council",
                                         "due_on": london_today() + timedelta(days=(pid % 40) - 20),
                                         "status": "in_progress", "explanation": "", "created_by_id": user.id}
                                        for pid in ids])
    db.session.commit()


def test_dashboard_lists_what_needs_doing(client, login_as, sample):
    user = login_as(Role.ORGANISER)
    add_people(sample, user, 3, 0)
    db.session.add(Action(group=sample["group"], what="Write to the bus company", owner="Council",
                          due_on=london_today() - timedelta(days=2), status=ActionStatus.NOT_STARTED,
                          created_by_id=user.id))
    db.session.commit()
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Write to the bus company" in page.split('id="overdue"')[1].split('id="due"')[0]
    assert '<span class="stat">3</span> support needs not arranged yet' in page
    assert "Support not arranged yet: 3" in page
    assert '<span class="stat">3</span> suggestions waiting' in page


def test_dashboard_and_meeting_pages_do_not_grow_queries(client, login_as, sample):
    user = login_as(Role.ORGANISER)
    pages = ["/dashboard", f"/meetings/{sample['meeting'].id}", "/meetings",
             f"/meetings/{sample['meeting'].id}/support", f"/meetings/{sample['meeting'].id}/results"]
    add_people(sample, user, 10, 0)
    small = {}
    for url in pages:
        client.get(url)
        with count_queries() as counted:
            assert client.get(url).status_code == 200
        small[url] = counted["n"]
    add_people(sample, user, 990, 100)
    for url in pages:
        with count_queries() as counted:
            assert client.get(url).status_code == 200
        assert counted["n"] == small[url], f"{url}: {small[url]} queries with 10 people, {counted['n']} with 1,000"
