"""Inviting people, personal links for home, printable invitations, and a group's public link."""
import pytest
from sqlalchemy import func, select

from survey_app.models import (
    AccessNeed,
    Attendance,
    AttendanceStatus,
    AuditEvent,
    Invitation,
    NeedKind,
    Person,
    Role,
    Suggestion,
)
from survey_app.web.extensions import db


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


def test_printed_links_and_qr_codes_use_the_public_address_whatever_host_the_request_names(app, client, organiser,
                                                                                         sample):
    """A request with a hostile Host header must not put its host on paper."""
    from survey_app.organise.invitations import qr_svg

    app.config["PUBLIC_BASE_URL"] = "https://hub.example"
    invitation = invite_and_link(client, sample)
    url = f"/meetings/{sample['meeting'].id}/invitations/print"
    session = client.get_cookie("hub_session").value
    client.set_cookie("hub_session", session, domain="evil.example")  # as a browser tricked to that host would
    for host in ("evil.example", "evil.example:443"):
        response = client.get(url, environ_overrides={"HTTP_HOST": host})
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        expected = f"https://hub.example/invite/{invitation.token}"
        assert f'<p class="link">{expected}</p>' in page
        assert str(qr_svg(expected)) in page  # the QR code is exactly the one for the public address
        assert "evil.example" not in page and "localhost" not in page


def test_setup_link_uses_the_public_address(app, runner):
    app.config["PUBLIC_BASE_URL"] = "https://hub.example"
    result = runner.invoke(args=["users", "setup-link"])
    assert result.exit_code == 0 and "    https://hub.example/setup/" in result.output
    result = runner.invoke(args=["users", "setup-link", "--base-url", "http://10.0.0.5:8000"])
    assert "    http://10.0.0.5:8000/setup/" in result.output


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
