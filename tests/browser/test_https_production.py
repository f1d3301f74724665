"""The service as it is deployed for real: gunicorn with HUB_ENV=production, a random SECRET_KEY and HTTPS,
driven by Chromium. Over HTTPS Flask-WTF also checks that a POST's Referer is this site, so these pages
only work if our Referrer-Policy lets a browser send it for same-origin forms (docs/security.md); every
browser test over plain HTTP would pass even if it did not.

One server per way of serving, for the whole module:
- gunicorn serving HTTPS itself with a self-signed certificate made here;
- gunicorn on plain HTTP behind a TLS-terminating proxy, trusting its X-Forwarded-Proto (PROXY_HOPS=1),
  as on a hosting platform.
"""
import io
import secrets
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from survey_app.models import (
    AccessNeed,
    Attendance,
    AttendanceStatus,
    ContactMethod,
    FinanceReturn,
    Group,
    InformationFormat,
    Invitation,
    Meeting,
    MeetingMode,
    NeedKind,
    Organisation,
    OrganisationKind,
    Person,
    PersonRole,
    Rate,
    RecognitionKind,
    Role,
)
from survey_app.web.extensions import db
from tests.browser.test_door_flow import register_through_to_thanks
from tests.conftest import PASSWORD
from tests.door_helpers import later_today
from tests.servers import AppServer, build_schema, fresh_database, seeded_app, self_signed_certificate
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.browser

INVITE_TOKEN = "tls-test-" + "x" * 24


def seed(url: str) -> dict:
    """Staff, a meeting with a personal link, and an approved payment ready for a finance return."""
    from survey_app.access.accounts import create_user
    from survey_app.models import PaymentBasis
    from survey_app.money import recognition as rec

    organiser = create_user("organiser@halton.example", "Olu Organiser", Role.ORGANISER, PASSWORD)
    finance = create_user("finance@halton.example", "Fern Finance", Role.FINANCE, PASSWORD)
    org = Organisation(name="Halton Speak Out", kind=OrganisationKind.VOLUNTARY)
    group = Group(name="Learning Disability Partnership Board", description="", organisation=org)
    person = Person(first_name="Dorota", last_name="Nowak", contact_method=ContactMethod.PHONE, phone="07700 900123",
                    information_format=InformationFormat.EASY_READ, role=PersonRole.LIVED_EXPERIENCE,
                    payee_ref="SUP-1", recognition_preference="paid")
    person.refresh_search_name()
    start = later_today()  # door mode runs on the meeting's day only
    meeting = Meeting(group=group, title="Health checks", purpose="Talk about annual health checks.",
                      starts_at=start, ends_at=start + timedelta(hours=2), mode=MeetingMode.IN_PERSON,
                      venue_name="Runcorn Library", step_free=True)
    past = Meeting(group=group, title="Getting to appointments", purpose="Buses and taxis.",
                   starts_at=start - timedelta(days=30), ends_at=start - timedelta(days=30, hours=-2),
                   mode=MeetingMode.IN_PERSON, venue_name="Runcorn Library")
    db.session.add_all([org, group, person, meeting, past,
                        Rate(group=group, applies_from=date(2020, 4, 6), hourly_pence=1500, half_day_pence=4000,
                             day_pence=7500, mileage_pence=45)])
    db.session.flush()
    db.session.add_all([Attendance(meeting=meeting, person=person, status=AttendanceStatus.INVITED),
                        Attendance(meeting=past, person=person, status=AttendanceStatus.ATTENDED),
                        Invitation(meeting_id=meeting.id, person_id=person.id, token=INVITE_TOKEN)])
    line = rec.record(rec.LineInput(person=person, group_id=group.id, meeting=past, kind=RecognitionKind.PAYMENT,
                                    basis=PaymentBasis.HALF_DAY, activity_on=past.starts_at.date()), organiser)
    db.session.flush()
    rec.approve([line], finance)
    db.session.commit()
    return {"meeting_id": meeting.id, "person_id": person.id}


@pytest.fixture(scope="module")
def database():
    with fresh_database("hub_tls") as url:
        build_schema(url)
        with seeded_app(url):
            ids = seed(url)
        yield url, ids


def production_env(**extra) -> dict:
    return {"HUB_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(48), **extra}


@pytest.fixture(scope="module")
def https_server(database):
    """gunicorn serving HTTPS itself, as `HUB_ENV=production` and a real secret make it. Eight threads a
    worker: gunicorn hands each new connection to a thread at once, and Chromium opens spare connections
    it may never use, each holding a thread until it times out; with two threads a worker the page
    sometimes waited 10 seconds for a free one (in production nginx takes those connections)."""
    url, _ids = database
    with AppServer(url, workers=2, threads=8, env=production_env(), tls=True) as server:
        yield server


@pytest.fixture(scope="module")
def proxied_server(database, tmp_path_factory):
    """gunicorn on plain HTTP behind a TLS-terminating proxy, as on a hosting platform. The proxy's
    X-Forwarded-Proto: https is added by the browser (Playwright's extra_http_headers) and believed
    because PROXY_HOPS=1. Yields the public https:// address (the proxy's)."""
    url, _ids = database
    certfile, keyfile = self_signed_certificate(tmp_path_factory.mktemp("proxy-tls"))
    with TcpProxy("127.0.0.1", 0, tls=(certfile, keyfile)) as front:
        public = f"https://127.0.0.1:{front.port}"
        with AppServer(url, workers=1, threads=2, env=production_env(PROXY_HOPS="1", PUBLIC_BASE_URL=public)) as app:
            front.target = ("127.0.0.1", app.port)
            yield public


def browser_context(chromium_browser, base_url: str, **options):
    context = chromium_browser.new_context(base_url=base_url, ignore_https_errors=True, accept_downloads=True,
                                           viewport={"width": 1024, "height": 768}, **options)
    context.set_default_timeout(10_000)
    return context


def sign_in(page, email: str, home: str = "/dashboard"):
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**{home}")


def press(page, name, role="button"):
    page.get_by_role(role, name=name, exact=True).click()
    page.wait_for_load_state()


def heading(page) -> str:
    return page.locator("h1").inner_text().strip()


def count(url, model, *where) -> int:
    with seeded_app(url):
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


@pytest.fixture
def browse(chromium_browser):
    """browse(base_url, **context_options) -> a page in a new browser context, closed afterwards."""
    contexts = []

    def open_page(base_url: str, **options):
        context = browser_context(chromium_browser, base_url, **options)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def test_staff_sign_in_door_mode_door_sign_in_and_registration(https_server, database, browse):
    url, ids = database
    page = browse(https_server.base_url)
    response = page.goto("/login")
    sign_in(page, "organiser@halton.example")
    assert response.url.startswith("https://")
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["strict-transport-security"].startswith("max-age=")
    session = next(c for c in page.context.cookies() if c["name"] == "hub_session")
    assert session["secure"] and session["httpOnly"]

    page.goto(f"/meetings/{ids['meeting_id']}")
    press(page, "Start door mode")
    page.wait_for_url("**/door/")
    assert heading(page) == "Welcome"

    press(page, "Sign in", role="link")
    page.get_by_label("Type the first letters of your name").fill("dor")
    press(page, "Find me")
    press(page, "Dorota N.")
    press(page, "Yes, this is me")
    page.wait_for_url("**/door/support")
    press(page, "I don't need any support", role="link")
    page.wait_for_url("**/door/thanks")
    press(page, "Next person", role="link")
    page.wait_for_url("**/door/")

    press(page, "I'm new here", role="link")
    register_through_to_thanks(page)

    attended = (Attendance.meeting_id == ids["meeting_id"], Attendance.status == AttendanceStatus.ATTENDED)
    assert count(url, Attendance, *attended) == 2
    assert count(url, Person, Person.first_name == "Ana", Person.last_name == "Costa") == 1


def test_a_personal_link_form_is_saved_and_its_address_goes_to_no_other_site(https_server, proxied_server,
                                                                             database, browse):
    url, ids = database
    page = browse(https_server.base_url)
    page.goto(f"/invite/{INVITE_TOKEN}")
    press(page, "Tell us what support you need", role="link")
    form_url = page.url
    page.get_by_label("A British Sign Language interpreter").check()
    page.get_by_label("No, just for this meeting").check()
    with page.expect_request(lambda r: r.method == "POST") as posted:
        press(page, "Send")
    page.wait_for_url("**/thanks")
    assert posted.value.all_headers().get("referer") == form_url  # same origin: the Referer CSRF checks
    assert count(url, AccessNeed, AccessNeed.person_id == ids["person_id"],
                 AccessNeed.meeting_id == ids["meeting_id"], AccessNeed.kind == NeedKind.BSL) == 1

    # Leaving for another site (another origin: the other server) from a page whose address holds the token.
    page.goto(form_url)
    with page.expect_request(lambda r: r.url.startswith(proxied_server)) as left:
        page.evaluate("url => { window.location.href = url; }", f"{proxied_server}/healthz")
    page.wait_for_load_state()
    assert "referer" not in left.value.all_headers()
    assert INVITE_TOKEN not in str(left.value.all_headers())


def test_finance_builds_and_downloads_a_return(https_server, database, browse):
    url, _ids = database
    page = browse(https_server.base_url)
    sign_in(page, "finance@halton.example", home="/finance/")
    page.goto("/finance/returns")
    press(page, "Build the return")
    page.wait_for_url("**/finance/returns/1")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the Excel return").click()
    assert download.value.suggested_filename.startswith("finance-return-1-")
    with open(download.value.path(), "rb") as fh:
        book = load_workbook(io.BytesIO(fh.read()))
    lines = book["Lines"]
    assert lines.cell(row=2, column=3).value == "SUP-1"
    assert lines.cell(row=2, column=4).value == "Dorota Nowak"
    assert lines.cell(row=2, column=11).value == 40
    assert count(url, FinanceReturn) == 1


def test_behind_a_tls_proxy_staff_sign_in_and_door_mode_work(proxied_server, database, browse):
    """The app server itself speaks plain HTTP; only X-Forwarded-Proto (trusted through PROXY_HOPS=1)
    tells it the browser is on HTTPS, which turns on the Referer check."""
    _url, ids = database
    page = browse(proxied_server, extra_http_headers={"X-Forwarded-Proto": "https"})
    sign_in(page, "organiser@halton.example")
    page.goto(f"/meetings/{ids['meeting_id']}")
    press(page, "Start door mode")
    page.wait_for_url("**/door/")
    assert heading(page) == "Welcome"
