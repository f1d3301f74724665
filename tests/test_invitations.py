"""Inviting people, personal links for home, printable invitations, and a group's public link."""
import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import (AccessNeed, Attendance, AttendanceStatus, AuditEvent, Invitation, NeedKind, Person,
                               Role, Suggestion)


@pytest.fixture
def organiser(login_as):
    return login_as(Role.ORGANISER)


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def invite_and_link(client, sample):
    meeting, person = sample["meeting"], sample["person"]
    page = client.get(f"/meetings/{meeting.id}/invitations?q=dor").get_data(as_text=True)
    assert "Dorota Nowak" in page
    client.submit(f"/meetings/{meeting.id}/invitations/add", {"person_id": str(person.id)},
                  token_from=f"/meetings/{meeting.id}/invitations")
    client.submit(f"/meetings/{meeting.id}/invitations/links", {}, token_from=f"/meetings/{meeting.id}/invitations")
    return db.session.scalar(select(Invitation))


def test_invite_someone_and_make_their_link(client, organiser, sample):
    invitation = invite_and_link(client, sample)
    assert db.session.scalar(select(Attendance.status)) == AttendanceStatus.INVITED
    assert invitation.person_id == sample["person"].id and len(invitation.token) >= 30
    assert str(sample["person"].id) != invitation.token
    assert db.session.scalar(select(AuditEvent.record_type).where(AuditEvent.record_type == "Attendance"))
    # making links again makes none twice; inviting again adds nobody twice
    client.submit(f"/meetings/{sample['meeting'].id}/invitations/links", {},
                  token_from=f"/meetings/{sample['meeting'].id}/invitations")
    client.submit(f"/meetings/{sample['meeting'].id}/invitations/add", {"person_id": str(sample["person"].id)},
                  token_from=f"/meetings/{sample['meeting'].id}/invitations")
    assert count(Invitation) == 1 and count(Attendance) == 1
    page = client.get(f"/meetings/{sample['meeting'].id}/invitations?q=dor").get_data(as_text=True)
    assert "Nobody else found with that name." in page


def test_printed_invitation_has_the_link_and_a_qr_code(client, organiser, sample):
    invitation = invite_and_link(client, sample)
    page = client.get(f"/meetings/{sample['meeting'].id}/invitations/print").get_data(as_text=True)
    assert f"http://localhost/invite/{invitation.token}" in page
    assert "<svg" in page and "Dear Dorota" in page


def test_personal_link_opens_support_and_suggestions_for_that_person(app, client, organiser, sample):
    invitation = invite_and_link(client, sample)
    home = app.test_client()
    page = home.get(f"/invite/{invitation.token}").get_data(as_text=True)
    assert "Dorota" in page and "Health checks" in page and "<h1>Hello Dorota</h1>" not in page  # in Polish
    assert 'lang="pl"' in page  # Dorota's own language by default
    response = home.submit(f"/invite/{invitation.token}/support", {"need_large_print": "y", "remember": "no"})
    assert response.headers["Location"] == f"/invite/{invitation.token}/thanks"
    need = db.session.scalar(select(AccessNeed))
    assert (need.person_id, need.meeting_id, need.kind) == (sample["person"].id, sample["meeting"].id,
                                                            NeedKind.LARGE_PRINT)
    response = home.submit(f"/invite/{invitation.token}/suggest", {"what": "Parking at the library"})
    assert response.headers["Location"] == f"/invite/{invitation.token}/thanks"
    assert db.session.scalar(select(Suggestion.source)) == "invite"
    assert home.get(f"/invite/{invitation.token}/thanks").status_code == 200


def test_a_wrong_personal_link_is_not_found(client):
    assert client.get("/invite/not-a-token-at-all-xxxxxxxx").status_code == 404
    assert client.get("/invite/<script>").status_code == 404


def test_the_door_tablet_cannot_open_personal_links(client, organiser, sample):
    from tests.door_helpers import start_door_mode

    invitation = invite_and_link(client, sample)
    start_door_mode(client, sample["meeting"].id)
    assert client.get(f"/invite/{invitation.token}").headers["Location"] == "/door/"
    assert client.get(f"/have-your-say/{sample['group'].id}").headers["Location"] == "/door/"


def test_group_public_link_takes_suggestions_from_anyone(client, sample):
    url = f"/have-your-say/{sample['group'].id}"
    page = client.get(url).get_data(as_text=True)
    assert "Suggest something for Learning Disability Partnership Board to talk about" in page
    response = client.submit(url, {"what": "More meetings in Widnes", "name": "Sam"})
    assert response.headers["Location"] == f"{url}/thanks"
    suggestion = db.session.scalar(select(Suggestion))
    assert (suggestion.meeting_id, suggestion.source, suggestion.name) == (None, "link", "Sam")
    assert client.get("/have-your-say/999").status_code == 404
    assert count(Person) == 1  # a suggestion creates no person
