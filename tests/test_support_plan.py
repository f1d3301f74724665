"""The support plan: who asked for what support for a meeting, whether it is arranged (per meeting), the
Excel support list and printable page, the person's needs page, the audit trail and who may see it."""
import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, insert, select

from exports.support_list import SupportEntry, SupportMeeting, support_sheets
from exports.workbook import write_workbook
from survey_app.insight import support_plan as plans
from survey_app.models import (
    AccessNeed,
    Attendance,
    AttendanceStatus,
    AuditEvent,
    Meeting,
    MeetingMode,
    NeedArrangement,
    NeedKind,
    Person,
    Role,
)
from survey_app.models.base import utcnow
from survey_app.web.extensions import db
from tests.conftest import PASSWORD
from tests.door_helpers import start_door_mode
from tests.queries import count_queries

HYPERLINK = '=HYPERLINK("http://evil.example","Click")'


def add_person(first, last="Test", **extra) -> Person:
    values = dict(contact_method="email", information_format="standard", role="lived_experience")
    values.update(extra)
    person = Person(first_name=first, last_name=last, **values)
    person.refresh_search_name()
    db.session.add(person)
    return person


def on_list(meeting, *people, status=AttendanceStatus.INVITED):
    for person in people:
        db.session.add(Attendance(meeting=meeting, person=person, status=status))


def need(person, kind, meeting=None, detail="", ended=False) -> AccessNeed:
    row = AccessNeed(person=person, meeting=meeting, kind=kind, detail=detail,
                     ended_at=utcnow() if ended else None)
    db.session.add(row)
    return row


def another_meeting(sample, days=14, title="Carers' break") -> Meeting:
    start = sample["meeting"].starts_at + timedelta(days=days)
    meeting = Meeting(group=sample["group"], title=title, starts_at=start, ends_at=start + timedelta(hours=2),
                      mode=MeetingMode.IN_PERSON, venue_name="Widnes Library")
    db.session.add(meeting)
    return meeting


@pytest.fixture
def world(sample):
    """Two BSL (one standing, one for this meeting), three large print, food and something else; plus needs
    that must not show: someone not on the list, an ended need, another meeting's need, a double."""
    meeting = sample["meeting"]
    dorota = sample["person"]
    dorota.email, dorota.address = "dorota@home.example", "12 Secret Street, Runcorn WA7 1AA"
    ann = add_person("Ann", "Ash", phone="07700 900555", email="ann@home.example", address="1 Hidden Road")
    bob, cy, di = add_person("Bob", "Birch"), add_person("Cy", "Cedar"), add_person("Di", "Dale")
    elm = add_person("Eli", "Elm")  # not on the list: only a one-off need for this meeting
    far = add_person("Fay", "Fir")  # not on the list: her standing need is not this meeting's
    on_list(meeting, dorota, ann, bob, cy, di)
    other = another_meeting(sample)
    on_list(other, ann, far)
    needs = {
        "bsl_standing": need(ann, NeedKind.BSL),
        "bsl_one_off": need(elm, NeedKind.BSL, meeting),
        "print_dorota": need(dorota, NeedKind.LARGE_PRINT),
        "print_bob": need(bob, NeedKind.LARGE_PRINT, meeting),
        "print_cy": need(cy, NeedKind.LARGE_PRINT),
        "food": need(bob, NeedKind.FOOD, meeting, detail="Vegetarian"),
        "other": need(di, NeedKind.OTHER, meeting, detail=HYPERLINK),
        # Cy asked for a quiet space at every meeting, and for this one said what kind: only this one counts.
        "quiet_standing": need(cy, NeedKind.QUIET_SPACE, detail="Breaks"),
        "quiet_one_off": need(cy, NeedKind.QUIET_SPACE, meeting, detail="A room to sit in at the break"),
        "fay": need(far, NeedKind.STEP_FREE),
        "ended": need(di, NeedKind.HEARING_LOOP, ended=True),
        "other_meeting": need(bob, NeedKind.TRAVEL, other),
    }
    db.session.commit()
    return {**sample, "other": other, "needs": needs, "ann": ann, "bob": bob, "cy": cy, "di": di}


def signed_in(app, role=Role.ORGANISER, user=None, make_user=None):
    user = user or make_user(role)
    client = app.test_client()
    assert client.submit("/login", {"email": user.email, "password": PASSWORD}).status_code == 302
    client.user = user
    return client


@pytest.fixture
def organiser(app, make_user):
    return signed_in(app, make_user=make_user)


def audit_rows(action):
    return db.session.execute(select(AuditEvent.record_type, AuditEvent.record_id, AuditEvent.user_id)
                              .where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


# --- the plan --------------------------------------------------------------------------------------------------


def test_plan_groups_needs_by_kind_with_counts_and_names(world):
    plan = plans.plan_for(world["meeting"].id)
    summary = [(g.kind, g.count, [e.name for e in g.entries]) for g in plan.groups]
    assert summary == [
        (NeedKind.BSL, 2, ["Ann Ash", "Eli Elm"]),
        (NeedKind.LARGE_PRINT, 3, ["Bob Birch", "Cy Cedar", "Dorota Nowak"]),
        (NeedKind.QUIET_SPACE, 1, ["Cy Cedar"]),
        (NeedKind.FOOD, 1, ["Bob Birch"]),
        (NeedKind.OTHER, 1, ["Di Dale"]),
    ]
    standing = {e.name: e.standing for e in plan.groups[0].entries + plan.groups[1].entries}
    assert standing == {"Ann Ash": True, "Eli Elm": False, "Bob Birch": False, "Cy Cedar": True, "Dorota Nowak": True}
    assert plan.groups[2].entries[0].detail == "A room to sit in at the break"  # the one-off stands in for the standing
    assert (plan.total, plan.unarranged) == (8, 8)


def test_plan_page_shows_groups_names_scope_and_what_is_waiting(world, organiser):
    page = organiser.get(f"/meetings/{world['meeting'].id}/support").get_data(as_text=True)
    assert "A British Sign Language interpreter: 2" in page
    assert "Large print or easy read papers: 3" in page
    assert "Bob Birch, Cy Cedar, Dorota Nowak" in page
    assert "Not arranged yet: 8 of 8" in page
    assert "Every meeting" in page and "This meeting only" in page
    assert page.count('class="support-row--waiting"') == 8
    assert "Vegetarian" in page and "Fay Fir" not in page and "Step-free" not in page
    assert "A hearing loop" not in page and "Help with travel" not in page
    for private in ("07700", "home.example", "Secret Street", "Hidden Road"):
        assert private not in page
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in page and " style=" not in page


def test_an_empty_plan_and_a_ready_plan_say_so(sample, organiser):
    meeting = sample["meeting"]
    url = f"/meetings/{meeting.id}/support"
    assert "Nobody has asked for support for this meeting yet." in organiser.get(url).get_data(as_text=True)
    assert organiser.get(f"/meetings/{meeting.id + 99}/support").status_code == 404
    food = need(sample["person"], NeedKind.FOOD, meeting, detail="Halal")
    db.session.commit()
    plans.mark_arranged(food.id, meeting.id, organiser.user)
    db.session.commit()
    page = organiser.get(url).get_data(as_text=True)
    assert "All the support asked for is arranged." in page and "support-row--waiting" not in page


# --- arranging ---------------------------------------------------------------------------------------------------


def press(client, meeting_id, need_id, arranged):
    url = f"/meetings/{meeting_id}/support"
    return client.submit(f"{url}/{need_id}/arranged", {"arranged": arranged}, token_from=url)


def test_marking_arranged_is_stored_shown_and_audited(world, organiser):
    mid, need_id = world["meeting"].id, world["needs"]["print_bob"].id
    response = press(organiser, mid, need_id, "yes")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/meetings/{mid}/support#need-{need_id}"
    made = db.session.scalar(select(NeedArrangement))
    assert (made.need_id, made.meeting_id, made.arranged_by_id) == (need_id, mid, organiser.user.id)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mark-arranged"))
    assert event.user_id == organiser.user.id and event.record_type == "NeedArrangement"
    assert event.after["need_id"] == need_id and event.after["meeting_id"] == mid and event.before is None
    page = organiser.get(f"/meetings/{mid}/support").get_data(as_text=True)
    assert "Marked as arranged." in page and "Not arranged yet: 7 of 8" in page
    assert f"Arranged by {organiser.user.name} on" in page

    press(organiser, mid, need_id, "yes")  # a second press, or a resubmit, changes nothing
    assert db.session.scalar(select(func.count()).select_from(NeedArrangement)) == 1
    assert len(audit_rows("mark-arranged")) == 1

    press(organiser, mid, need_id, "no")
    assert db.session.scalar(select(func.count()).select_from(NeedArrangement)) == 0
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mark-not-arranged"))
    assert event.before["need_id"] == need_id and event.before["arranged_by_id"] == organiser.user.id
    assert event.after is None


def test_a_standing_need_is_arranged_meeting_by_meeting(world, organiser):
    mid, other, need_id = world["meeting"].id, world["other"].id, world["needs"]["bsl_standing"].id
    press(organiser, mid, need_id, "yes")
    first = {e.need_id: e.arranged for e in plans.plan_for(mid).entries}
    second = {e.need_id: e.arranged for e in plans.plan_for(other).entries}
    assert first[need_id] is True and second[need_id] is False
    press(organiser, other, need_id, "yes")
    assert plans.unarranged_count([mid, other]) == {mid: 7, other: 2}  # Fay's step-free access, Bob's travel


def test_only_needs_in_this_meetings_plan_can_be_marked(world, organiser):
    mid, needs = world["meeting"].id, world["needs"]
    for outside in ("fay", "ended", "other_meeting", "quiet_standing"):
        assert press(organiser, mid, needs[outside].id, "yes").status_code == 404, outside
    assert press(organiser, mid, 999999, "yes").status_code == 404
    assert press(organiser, mid, needs["food"].id, "maybe").status_code == 400
    assert db.session.scalar(select(func.count()).select_from(NeedArrangement)) == 0
    with pytest.raises(plans.NotInPlan):
        plans.mark_arranged(needs["fay"].id, mid, organiser.user)


def test_unarranged_counts_for_meetings_and_the_dashboard(world, organiser, make_user):
    mid, other = world["meeting"].id, world["other"].id
    past = another_meeting(world, days=-30, title="Last month")
    on_list(past, world["ann"])
    db.session.commit()
    assert plans.unarranged_count([mid, other, past.id, 424242]) == {mid: 8, other: 3, past.id: 1, 424242: 0}
    assert plans.unarranged_count([]) == {}
    assert plans.unarranged_total() == 11
    assert plans.unarranged_total(upcoming_only=False) == 12
    for key in ("bsl_standing", "food"):
        plans.mark_arranged(world["needs"][key].id, mid, organiser.user)
    db.session.commit()
    assert plans.unarranged_count([mid, other, past.id]) == {mid: 6, other: 3, past.id: 1}
    assert plans.unarranged_total() == 9


# --- downloads -------------------------------------------------------------------------------------------------


def test_excel_support_list_has_names_and_needs_and_nothing_else_about_people(world, organiser):
    mid = world["meeting"].id
    plans.mark_arranged(world["needs"]["food"].id, mid, organiser.user)
    db.session.commit()
    response = organiser.get(f"/meetings/{mid}/support/download")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith('attachment; filename="support-list-20')
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Support list", "Summary"]
    sheet = book["Support list"]
    assert [c.value for c in sheet[1]] == ["Support needed", "Name", "For", "Details", "Arranged", "Arranged by",
                                           "Arranged on"]
    assert all(c.font.b for c in sheet[1]) and sheet.freeze_panes == "A2"
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [(r[0], r[1]) for r in rows][:2] == [("A British Sign Language interpreter", "Ann Ash"),
                                                ("A British Sign Language interpreter", "Eli Elm")]
    assert ["Food needs", "Bob Birch", "This meeting only", "Vegetarian", "Yes", organiser.user.name] == rows[6][:6]
    assert isinstance(rows[6][6], datetime)
    other = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == "Something else")
    assert other[3].value == HYPERLINK and other[3].data_type == "s" and other[3].quotePrefix
    summary = [[c.value for c in row] for row in book["Summary"].iter_rows()]
    assert ["Large print or easy read papers", 3, 3] in summary and ["Total", 8, 7] in summary
    assert ["Meeting", "Health checks", None] in summary
    everything = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row
                          if c.value is not None)
    for private in ("07700", "home.example", "Secret Street", "Hidden Road", "Fay Fir"):
        assert private not in everything
    assert audit_rows("download-support-plan") == [("Meeting", str(mid), organiser.user.id)]


def test_an_empty_support_list_says_so():
    meeting = SupportMeeting(title="Tea", group="Carers", starts_at=datetime(2027, 1, 5, 10, tzinfo=UTC),
                             ends_at=datetime(2027, 1, 5, 12, tzinfo=UTC), venue="")
    out = io.BytesIO()
    write_workbook(support_sheets(meeting, []), out)
    book = load_workbook(out)
    assert book["Support list"]["A2"].value == "Nobody has asked for support for this meeting yet."
    assert book["Support list"]["A2"].font.i
    entry = SupportEntry(need="Food needs", name="=cmd|' /C calc'!A0", detail="@SUM(1)", standing=True,
                         arranged_at=None, arranged_by="")
    out = io.BytesIO()
    write_workbook(support_sheets(meeting, [entry]), out)
    cells = load_workbook(out)["Support list"][2]
    assert [c.value for c in cells][:5] == ["Food needs", "=cmd|' /C calc'!A0", "Every meeting", "@SUM(1)", "No"]
    assert [bool(c.quotePrefix) for c in cells][:5] == [False, True, False, True, False]
    assert all(c.data_type == "s" for c in cells[:5])


def test_printable_page_is_large_clear_and_only_names_and_needs(world, organiser):
    mid = world["meeting"].id
    plans.mark_arranged(world["needs"]["food"].id, mid, organiser.user)
    db.session.commit()
    page = organiser.get(f"/meetings/{mid}/support/print").get_data(as_text=True)
    assert 'class="support-print"' in page and "Support for Health checks" in page
    assert "A British Sign Language interpreter: 2" in page and "Large print or easy read papers: 3" in page
    assert "Bob Birch" in page and "Vegetarian" in page
    assert organiser.user.name not in page.split('<main')[1]  # not who arranged it: the venue needs none of that
    for private in ("07700", "home.example", "Secret Street", "Hidden Road", "Mark as arranged", "<form method"):
        assert private not in page.split('<main')[1]
    css = organiser.get("/static/css/app.css").get_data(as_text=True)
    block = css.split("/* support plan */")[1]
    assert "@media print" in block and ".support-print" in block


def test_a_persons_needs_page_shows_standing_and_per_meeting_with_arranged_status(world, organiser):
    ann, mid, other = world["ann"], world["meeting"].id, world["other"].id
    plans.mark_arranged(world["needs"]["bsl_standing"].id, mid, organiser.user)
    db.session.commit()
    needs = plans.needs_of(ann.id)
    assert [n.kind for n in needs.standing] == [NeedKind.BSL]
    assert [(m.meeting_id, [(e.kind, e.arranged) for e in m.entries]) for m in needs.meetings] == [
        (other, [(NeedKind.BSL, False)]), (mid, [(NeedKind.BSL, True)])]
    page = organiser.get(f"/people/{ann.id}/support").get_data(as_text=True)
    assert "Support needs: Ann Ash" in page and "Support for every meeting" in page
    assert "Carers&#39; break" in page and "Health checks" in page
    assert f"Arranged by {organiser.user.name}" in page and "Not arranged yet" in page
    assert "07700" not in page and "Hidden Road" not in page
    assert organiser.get("/people/999999/support").status_code == 404


def test_every_look_at_support_needs_is_audited(world, organiser):
    mid, person = world["meeting"].id, world["ann"].id
    for url in (f"/meetings/{mid}/support", f"/meetings/{mid}/support/print", f"/meetings/{mid}/support/download",
                f"/people/{person}/support"):
        assert organiser.get(url).status_code == 200, url
    me = organiser.user.id
    assert audit_rows("view-support-plan") == [("Meeting", str(mid), me), ("Meeting", str(mid), me)]
    assert audit_rows("download-support-plan") == [("Meeting", str(mid), me)]
    assert audit_rows("view-needs") == [("Person", str(person), me)]
    printed = db.session.scalars(select(AuditEvent.after).where(AuditEvent.action == "view-support-plan")).all()
    assert printed == [None, {"page": "print"}]


# --- who may see it ----------------------------------------------------------------------------------------------

GETS = ["/meetings/{meeting}/support", "/meetings/{meeting}/support/print", "/meetings/{meeting}/support/download",
        "/people/{person}/support"]


@pytest.mark.parametrize("role", ["anonymous", Role.FINANCE, Role.ORGANISER, Role.ADMIN], ids=str)
def test_only_organisers_and_admins_see_support_plans(app, world, make_user, role):
    client = app.test_client() if role == "anonymous" else signed_in(app, role, make_user=make_user)
    for page in GETS:
        url = page.format(meeting=world["meeting"].id, person=world["ann"].id)
        response = client.get(url)
        expected = {"anonymous": 302, Role.FINANCE: 403}.get(role, 200)
        assert response.status_code == expected, url
        if expected == 302:
            assert response.headers["Location"].startswith("/login")
    need_id = world["needs"]["food"].id
    token = client.csrf_token("/login") if role == "anonymous" else client.csrf_token("/account")
    response = client.post(f"/meetings/{world['meeting'].id}/support/{need_id}/arranged",
                           data={"csrf_token": token, "arranged": "yes"})
    assert response.status_code == {"anonymous": 302, Role.FINANCE: 403}.get(role, 302)
    arranged = db.session.scalar(select(func.count()).select_from(NeedArrangement))
    assert arranged == (1 if role in (Role.ORGANISER, Role.ADMIN) else 0)
    if role in ("anonymous", Role.FINANCE):
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action.in_(("view-support-plan", "download-support-plan", "view-needs")))) == 0


def test_a_door_tablet_reaches_no_support_page(client, login_as, world):
    login_as(Role.ORGANISER)
    start_door_mode(client, world["meeting"].id)
    for page in GETS:
        url = page.format(meeting=world["meeting"].id, person=world["ann"].id)
        response = client.get(url)
        assert response.status_code == 302 and response.headers["Location"] == "/door/", url
    token = client.csrf_token("/door/")
    response = client.post(f"/meetings/{world['meeting'].id}/support/{world['needs']['food'].id}/arranged",
                           data={"csrf_token": token, "arranged": "yes"})
    assert response.status_code == 302 and response.headers["Location"] == "/door/"
    assert db.session.scalar(select(func.count()).select_from(NeedArrangement)) == 0


# --- queries do not grow with the data ---------------------------------------------------------------------------


def grow(meeting, organiser_id, people, meetings=()):
    """Put `people` more people on the meeting's list, with standing and one-off needs, some arranged, and
    each on the list of the other `meetings` too."""
    start = db.session.scalar(select(func.count()).select_from(Person))
    ids = db.session.scalars(insert(Person).returning(Person.id, sort_by_parameter_order=True), [
        {"first_name": f"P{start + i:05d}", "last_name": "Bulk", "search_name": f"p{start + i:05d} bulk",
         "contact_method": "email", "email": f"p{i}@bulk.example", "information_format": "standard",
         "role": "carer"} for i in range(people)]).all()
    db.session.execute(insert(Attendance), [{"meeting_id": m, "person_id": pid, "status": "invited"}
                                            for pid in ids for m in (meeting.id, *meetings)])
    kinds = list(NeedKind)
    need_ids = db.session.scalars(insert(AccessNeed).returning(AccessNeed.id, sort_by_parameter_order=True), [
        {"person_id": pid, "meeting_id": meeting.id if i % 2 else None, "kind": kinds[i % len(kinds)].value,
         "detail": f"Detail {i}"} for i, pid in enumerate(ids)]).all()
    db.session.execute(insert(NeedArrangement), [
        {"need_id": nid, "meeting_id": meeting.id, "arranged_at": utcnow(), "arranged_by_id": organiser_id}
        for nid in need_ids[::3]])
    db.session.commit()
    return ids


def test_support_pages_run_the_same_number_of_queries_for_10_and_1000_people(sample, organiser):
    meeting = sample["meeting"]
    others = []
    for day in range(20):
        others.append(another_meeting(sample, days=day + 1, title=f"Meeting {day}"))
    db.session.commit()
    person = grow(meeting, organiser.user.id, 10, meetings=[others[0].id])[0]
    urls = [f"/meetings/{meeting.id}/support", f"/meetings/{meeting.id}/support/print",
            f"/people/{person}/support", f"/meetings/{meeting.id}/support/download"]

    def counts():
        result = {}
        for url in urls:
            organiser.get(url)  # warm: the first request of a session may look up more
            with count_queries() as counter:
                response = organiser.get(url)
            assert response.status_code == 200
            result[url] = counter["n"]
        return result

    small = counts()
    assert "Not arranged yet: 6 of 10" in organiser.get(urls[0]).get_data(as_text=True)
    grow(meeting, organiser.user.id, 990, meetings=[m.id for m in others])
    db.session.execute(insert(Attendance), [{"meeting_id": m.id, "person_id": person, "status": "invited"}
                                            for m in others[1:]])
    db.session.commit()
    big = counts()
    assert small == big and max(big.values()) <= 8
    page = organiser.get(urls[0]).get_data(as_text=True)
    assert "Not arranged yet: 666 of 1000" in page and "P00999 Bulk" in page
    ids = [meeting.id, *(m.id for m in others)]
    with count_queries() as counter:
        assert plans.unarranged_count(ids)[ids[0]] == 666
        # Standing needs wait at every other meeting too: 5 + 495 at the first, 495 + the person's 1 at the rest.
        assert plans.unarranged_total() == 666 + 500 + 19 * 496
    assert counter["n"] == 2
