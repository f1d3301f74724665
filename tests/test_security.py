"""Security headers, CSRF on every POST, caching rules, and no state change on GET."""
import pytest
from sqlalchemy import func, select

from survey_app.extensions import db
from survey_app.models import Group, Person, Role


def test_every_page_gets_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    for directive in ("script-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Cookie" in response.headers["Vary"]
    assert "Strict-Transport-Security" not in response.headers


def test_production_sends_hsts(app, client):
    app.config["HSTS"] = True
    assert "max-age=" in client.get("/login").headers["Strict-Transport-Security"]


def test_pages_with_personal_data_are_never_cached(client, login_as, sample):
    login_as(Role.ORGANISER)
    response = client.get(f"/people/{sample['person'].id}")
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_may_be_cached(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"


def test_no_inline_script_or_style_in_pages(client, login_as, sample):
    login_as(Role.ADMIN)
    for url in ("/login", "/dashboard", f"/meetings/{sample['meeting'].id}/edit", "/people/new"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>" not in page and "<style" not in page and " style=" not in page
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


@pytest.mark.parametrize("method", ["get", "head"])
def test_no_route_changes_state_on_get(app, client, login_as, sample, method):
    login_as(Role.ADMIN)
    from survey_app.models import AuditEvent

    # Looking at health data is itself recorded (who viewed whose support needs); nothing else may be.
    changes = select(func.count()).select_from(AuditEvent).where(~AuditEvent.action.like("view%"),
                                                                 ~AuditEvent.action.like("download%"))
    before = db.session.scalar(changes)
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "auth.setup"):
            continue
        url = rule.build({k: 1 for k in rule.arguments}, append_unknown=False)[1]
        getattr(client, method)(url)
    assert db.session.scalar(changes) == before


def test_a_form_refused_for_its_referer_is_shown_again_but_never_saved(client, login_as):
    """On HTTPS, CSRFProtect also checks the Referer. A refused request re-runs the view so nothing typed
    is lost, and the form's own check (which sees a good token) must still refuse to save it."""
    from survey_app.models import Organisation
    login_as(Role.ORGANISER)
    token = client.csrf_token("/organisations/new")
    data = {"csrf_token": token, "name": "Widnes Foodbank", "kind": "voluntary"}
    refused = client.post("/organisations/new", data=data, base_url="https://localhost",
                          headers={"Referer": "https://elsewhere.example/"})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert 'value="Widnes Foodbank"' in page and "This page was open for a long time" in page
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0
    accepted = client.post("/organisations/new", data=data, base_url="https://localhost",
                           headers={"Referer": "https://localhost/organisations/new"})
    assert accepted.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 1
