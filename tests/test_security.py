"""Security headers, CSRF on every POST, caching rules, and no state change on GET."""
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from survey_app.models import Group, Person, Role
from survey_app.web.extensions import db
from tests.conftest import PASSWORD
from tests.pagecheck import inline_code

TEMPLATES = Path(__file__).resolve().parent.parent / "survey_app" / "templates"


def test_every_page_gets_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    for directive in ("script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # Our addresses (personal links hold a secret token) reach no other site, yet our own forms carry the
    # Referer that the CSRF check needs on HTTPS.
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Cookie" in response.headers["Vary"]
    assert "Strict-Transport-Security" not in response.headers


def test_production_sends_hsts_and_secure_cookies(production_app):
    """HUB_ENV=production, read from the environment as on a real server, not single flags set by hand."""
    from survey_app.access.accounts import create_user

    create_user("organiser@halton.example", "Olu Organiser", Role.ORGANISER, PASSWORD)
    db.session.commit()
    client = production_app.test_client()
    page = client.get("/login", base_url=HTTPS)
    assert page.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert page.headers["Referrer-Policy"] == "same-origin"
    signed_in = client.post("/login", base_url=HTTPS, headers=same_origin_form("/login"),
                            data={"csrf_token": token_on(page), "email": "organiser@halton.example",
                                  "password": PASSWORD})
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/dashboard"
    cookie = signed_in.headers["Set-Cookie"]
    assert cookie.startswith("hub_session=") and "; Secure" in cookie and "; HttpOnly" in cookie


def test_pages_with_personal_data_are_never_cached(client, login_as, sample):
    login_as(Role.ORGANISER)
    response = client.get(f"/people/{sample['person'].id}")
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_may_be_cached(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"


def test_no_inline_script_or_style_in_any_template():
    """Every template file (staff, door, invite, public, print and error pages): no <script> without src,
    no <style>, no style= and no on*= attribute. Every page the test client fetches is also checked
    after rendering (tests/pagecheck.py), which covers attributes that forms add."""
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert len(templates) > 50 and {"door", "invite", "public", "errors"} <= {t.parent.name for t in templates}
    found = {str(t.relative_to(TEMPLATES)): inline_code(t.read_text()) for t in templates}
    assert {name: problems for name, problems in found.items() if problems} == {}
    # Anything Jinja might assemble into such an attribute, which the parser above would not see.
    pattern = re.compile(r"""(?i)['"]?\b(style|on[a-z]+)['"]?\s*[:=]\s*['"{]""")
    written = {str(t.relative_to(TEMPLATES)) for t in templates if pattern.search(t.read_text())}
    assert written == set()


def test_the_inline_check_finds_inline_code():
    assert inline_code('<p style="color:red" onclick="x()">a</p><style>p{}</style><script>1</script>') == [
        "<p style=...>", "<p onclick=...>", "<style> without src", "<script> without src"]
    assert inline_code('<script src="/static/js/app.js" defer></script>') == []


def test_no_inline_script_or_style_in_pages(client, login_as, sample):
    login_as(Role.ADMIN)
    for url in ("/login", "/dashboard", f"/meetings/{sample['meeting'].id}/edit", "/people/new"):
        page = client.get(url).get_data(as_text=True)
        assert inline_code(page) == []
        assert "http://" not in page and "https://" not in page  # nothing from a third party


def test_post_without_csrf_token_is_refused_and_changes_nothing(client, login_as):
    login_as(Role.ORGANISER)
    response = client.post("/groups/new", data={"name": "No token group"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Group)) == 0


def test_expired_token_keeps_what_was_typed(client, login_as):
    login_as(Role.ORGANISER)
    response = client.post("/people/new", data={"csrf_token": "expired-or-tampered", "first_name": "Zofia",
                                                "last_name": "Wiśniewska", "role": "carer"})
    page = response.get_data(as_text=True)
    assert "This page was open for a long time, so we could not save it yet." in page
    assert 'value="Zofia"' in page and 'value="Wiśniewska"' in page
    assert 'value="carer" checked' in page
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0


def test_resubmitting_after_an_expired_token_works(client, login_as):
    login_as(Role.ORGANISER)
    response = client.post("/groups/new", data={"csrf_token": "stale", "name": "Carers' Voice"})
    fresh = response.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/groups/new", data={"csrf_token": fresh, "name": "Carers' Voice"})
    assert response.status_code == 302
    assert db.session.scalar(select(Group.name)) == "Carers' Voice"


# The walks over every route (no GET changes state; no POST without a CSRF token does) are in test_walks.py.


HTTPS = "https://localhost"


def same_origin_form(path: str) -> dict:
    """What Chromium sends with a form posted from our own page at `path` under Referrer-Policy: same-origin."""
    return {"Origin": HTTPS, "Referer": f"{HTTPS}{path}", "Sec-Fetch-Site": "same-origin"}


def token_on(response) -> str:
    return response.get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]


@pytest.mark.parametrize("headers", [
    # A form on another site posting here: the browser names that site (its own default policy).
    pytest.param({"Origin": "https://elsewhere.example", "Referer": "https://elsewhere.example/",
                  "Sec-Fetch-Site": "cross-site"}, id="from-another-site"),
    # A page under `Referrer-Policy: no-referrer` (what this service once sent): no Referer, Origin null.
    pytest.param({"Origin": "null", "Sec-Fetch-Site": "same-origin"}, id="no-referer"),
])
def test_a_form_refused_for_its_referer_is_shown_again_but_never_saved(production_app, headers):
    """In production over HTTPS, CSRFProtect also checks the Referer. A refused request re-runs the view so
    nothing typed is lost, and the form's own check (which sees a good token) must still refuse to save it.
    The same form with what a browser sends from our own page (told by our Referrer-Policy) is saved."""
    from survey_app.access.accounts import create_user
    from survey_app.models import Organisation

    create_user("organiser@halton.example", "Olu Organiser", Role.ORGANISER, PASSWORD)
    db.session.commit()
    client = production_app.test_client()
    login = client.get("/login", base_url=HTTPS)
    assert client.post("/login", base_url=HTTPS, headers=same_origin_form("/login"),
                       data={"csrf_token": token_on(login), "email": "organiser@halton.example",
                             "password": PASSWORD}).status_code == 302
    form = client.get("/organisations/new", base_url=HTTPS)
    assert form.headers["Referrer-Policy"] == "same-origin"
    data = {"csrf_token": token_on(form), "name": "Widnes Foodbank", "kind": "voluntary"}
    refused = client.post("/organisations/new", data=data, base_url=HTTPS, headers=headers)
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert 'value="Widnes Foodbank"' in page and "This page was open for a long time" in page
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0
    accepted = client.post("/organisations/new", data=data, base_url=HTTPS,
                           headers=same_origin_form("/organisations/new"))
    assert accepted.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 1


def test_a_refused_form_whose_page_is_gone_is_not_found_not_an_error(client):
    """A view re-run after a CSRF refusal that itself finds nothing gives its ordinary 404, not a 500."""
    response = client.post("/invite/no-such-link-000000000000000/support", data={"csrf_token": "stale"})
    assert response.status_code == 404 and "This link no longer works" in response.get_data(as_text=True)
