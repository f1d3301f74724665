"""Personal links stop working a set time after their meeting, an organiser can withdraw one and re-issue a
new one, and making, printing, withdrawing and re-issuing are in the audit log without the token."""
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from survey_app.models import AccessNeed, AuditEvent, Invitation, Role
from survey_app.models.base import utcnow
from survey_app.web.extensions import db
from tests.test_invitations import invite_and_link

GONE_TITLE = "<h1>This link no longer works</h1>"
GONE_TEXT = "Ask the organiser for a new one."


@pytest.fixture
def organiser(login_as):
    return login_as(Role.ORGANISER)


def assert_gone(response):
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert GONE_TITLE in page and GONE_TEXT in page
    assert 'class="participant' in page and "participant.css" in page  # the participant layout, not staff


def all_audit_text() -> str:
    return json.dumps([(e.action, e.record_type, e.record_id, e.before, e.after)
                       for e in db.session.scalars(select(AuditEvent))])


def test_withdrawn_link_stops_working_and_a_new_one_can_be_issued(app, client, organiser, sample):
    invitation = invite_and_link(client, sample)
    old = invitation.token
    invitations_url = f"/meetings/{sample['meeting'].id}/invitations"
    home = app.test_client()
    assert home.get(f"/invite/{old}").status_code == 200
    form_tokens = home._tokens(f"/invite/{old}/support")  # a form opened before the link was withdrawn

    response = client.submit(f"{invitations_url}/{invitation.id}/withdraw", {}, token_from=invitations_url)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Invitation, invitation.id).withdrawn_at is not None
    assert db.session.scalar(select(Invitation).where(Invitation.token == old)) is None  # the key is gone
    assert_gone(home.get(f"/invite/{old}"))
    assert_gone(home.post(f"/invite/{old}/support", data={**form_tokens, "need_large_print": "y", "remember": "no"}))
    assert db.session.scalar(select(AccessNeed)) is None
    page = client.get(invitations_url).get_data(as_text=True)
    assert "Withdrawn" in page and "Open link" not in page

    response = client.submit(f"{invitations_url}/{invitation.id}/reissue", {}, token_from=invitations_url)
    assert response.status_code == 302
    db.session.expire_all()
    reissued = db.session.get(Invitation, invitation.id)
    assert reissued.withdrawn_at is None and reissued.token != old
    new = reissued.token
    assert home.get(f"/invite/{new}").status_code == 200
    assert_gone(home.get(f"/invite/{old}"))

    # Re-issuing a working link replaces it too.
    client.submit(f"{invitations_url}/{invitation.id}/reissue", {}, token_from=invitations_url)
    db.session.expire_all()
    newest = db.session.get(Invitation, invitation.id).token
    assert newest != new
    assert_gone(home.get(f"/invite/{new}"))

    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.record_type == "Invitation")
                                 .order_by(AuditEvent.id)).all()
    assert actions == ["create", "withdraw-link", "reissue-link", "reissue-link"]
    text = all_audit_text()
    for token in (old, new, newest):
        assert token not in text


def test_a_link_stops_working_the_set_time_after_its_meeting(app, client, organiser, sample):
    invitation = invite_and_link(client, sample)
    meeting = sample["meeting"]
    home = app.test_client()

    def meeting_ended(days_ago):
        meeting.ends_at = utcnow() - timedelta(days=days_ago)
        meeting.starts_at = meeting.ends_at - timedelta(hours=2)
        db.session.commit()

    assert app.config["PERSONAL_LINK_DAYS_AFTER_MEETING"] == 30
    meeting_ended(29)
    assert home.get(f"/invite/{invitation.token}").status_code == 200
    meeting_ended(31)
    assert_gone(home.get(f"/invite/{invitation.token}"))
    assert_gone(home.get(f"/invite/{invitation.token}/suggest"))
    app.config["PERSONAL_LINK_DAYS_AFTER_MEETING"] = 60
    assert home.get(f"/invite/{invitation.token}").status_code == 200
    app.config["PERSONAL_LINK_DAYS_AFTER_MEETING"] = 0
    meeting_ended(0.1)
    assert_gone(home.get(f"/invite/{invitation.token}"))
    page = client.get(f"/meetings/{meeting.id}/invitations").get_data(as_text=True)
    assert "These links stopped working on" in page and "No longer works" in page
    assert "Print invitations" not in page
    assert "Dear Dorota" not in client.get(f"/meetings/{meeting.id}/invitations/print").get_data(as_text=True)


def test_unknown_and_malformed_links_get_the_same_page(client):
    assert_gone(client.get("/invite/not-a-token-at-all-xxxxxxxx"))
    assert_gone(client.get("/invite/%3Cscript%3E"))


def test_printing_is_in_the_audit_log_and_only_working_links_are_printed(app, client, organiser, sample, make_user):
    from survey_app.models import Person

    invitation = invite_and_link(client, sample)
    other = Person(first_name="Aisha", last_name="Khan", contact_method="email", email="a@x.example",
                   information_format="standard", role="carer")
    other.refresh_search_name()
    db.session.add(other)
    db.session.commit()
    meeting_id = sample["meeting"].id
    invitations_url = f"/meetings/{meeting_id}/invitations"
    client.submit(f"{invitations_url}/add", {"person_id": str(other.id)}, token_from=invitations_url)
    client.submit(f"{invitations_url}/links", {}, token_from=invitations_url)
    withdrawn = db.session.scalar(select(Invitation).where(Invitation.person_id == other.id))
    client.submit(f"{invitations_url}/{withdrawn.id}/withdraw", {}, token_from=invitations_url)
    db.session.expire_all()

    page = client.get(f"{invitations_url}/print").get_data(as_text=True)
    assert "Dear Dorota" in page and "Dear Aisha" not in page
    assert withdrawn.token not in page
    printed = db.session.execute(select(AuditEvent.user_id, AuditEvent.record_id, AuditEvent.after)
                                 .where(AuditEvent.action == "view-print-link")).all()
    assert printed == [(organiser.id, str(invitation.id), {"meeting_id": meeting_id,
                                                           "person_id": sample["person"].id})]
    made = db.session.scalars(select(AuditEvent.record_id).where(AuditEvent.record_type == "Invitation",
                                                                 AuditEvent.action == "create")).all()
    assert sorted(made) == sorted([str(invitation.id), str(withdrawn.id)])
    assert invitation.token not in all_audit_text()
    # The person's own audit trail shows it in words.
    admin = app.test_client()
    from tests.conftest import PASSWORD
    user = make_user(Role.ADMIN)
    admin.submit("/login", {"email": user.email, "password": PASSWORD})
    trail = admin.get(f"/admin/audit?person={sample['person'].id}").get_data(as_text=True)
    assert "Printed their personal link" in trail and "Personal link" in trail


def test_only_organisers_can_withdraw_or_reissue_and_only_with_a_csrf_token(app, client, login_as, sample):
    login_as(Role.ORGANISER)
    invitation = invite_and_link(client, sample)
    base = f"/meetings/{sample['meeting'].id}/invitations/{invitation.id}"
    for action in ("withdraw", "reissue"):
        assert client.post(f"{base}/{action}", data={}).status_code == 400  # no CSRF token
    finance = app.test_client()
    from survey_app.access.accounts import create_user
    from tests.conftest import PASSWORD
    user = create_user("fin@halton.example", "Fin", Role.FINANCE, PASSWORD)
    db.session.commit()
    finance.submit("/login", {"email": user.email, "password": PASSWORD})
    token = finance.csrf_token("/finance/")
    for action in ("withdraw", "reissue"):
        assert finance.post(f"{base}/{action}", data={"csrf_token": token}).status_code == 403
    wrong_meeting = f"/meetings/{sample['meeting'].id + 1}/invitations/{invitation.id}/withdraw"
    assert client.post(wrong_meeting, data={"csrf_token": client.csrf_token("/people")}).status_code == 404
    db.session.expire_all()
    current = db.session.get(Invitation, invitation.id)
    assert current.token == invitation.token and current.withdrawn_at is None
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", current.token)


def help_line(page: str) -> str:
    """The words of the page's help line, tags taken out."""
    found = re.search(r'<p class="help-line">(.*?)</p>', page, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(1))).strip() if found else ""


def test_personal_link_pages_say_who_to_ask_for_help(app, client, organiser, sample):
    """Issue 14, point 11: every page of a personal link shows the group's contact as the organisers entered
    it (tel: and mailto: links), or, with none, to contact the team that invited them."""
    invitation = invite_and_link(client, sample)
    sample["person"].language = "en"  # the words checked below are the English ones (they are translated too)
    db.session.commit()
    group = sample["group"]
    base = f"/invite/{invitation.token}"
    pages = [base, f"{base}/support", f"{base}/suggest", f"{base}/thanks"]
    for url in pages:
        assert help_line(client.get(url).get_data(as_text=True)) == "Need help? Contact the team that invited you."

    group.contact_name, group.contact_phone, group.contact_email = "Sam Jones", "01928 123456", "sam@example.org"
    db.session.commit()
    for url in pages:
        page = client.get(url).get_data(as_text=True)
        assert help_line(page) == "Need help? Ask Sam Jones: 01928 123456 / sam@example.org", url
        assert '<a href="tel:01928123456">01928 123456</a>' in page
        assert '<a href="mailto:sam@example.org">sam@example.org</a>' in page

    group.contact_phone, group.contact_email = "", ""
    db.session.commit()
    page = client.get(base).get_data(as_text=True)
    assert help_line(page) == "Need help? Ask Sam Jones." and "tel:" not in page and "mailto:" not in page

    group.contact_name, group.contact_phone = "", "+44 1928 123456"
    db.session.commit()
    page = client.get(base).get_data(as_text=True)
    assert help_line(page) == "Need help? Contact the team that invited you: +44 1928 123456"
    assert '<a href="tel:+441928123456">+44 1928 123456</a>' in page

    # The group's open link is not an invitation: nobody's contact is shown there.
    assert help_line(client.get(f"/have-your-say/{group.id}").get_data(as_text=True)) == ""
