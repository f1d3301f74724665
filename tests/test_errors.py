"""Unknown routes, wrong roles, bad forms and crashes each get a plain-English page, never a traceback."""
from sqlalchemy import func, select

from survey_app.models import Organisation, OrganisationKind, Role
from survey_app.web.extensions import db


def test_unknown_route_gets_a_plain_page(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert "<h1>Page not found</h1>" in page
    assert "Traceback" not in page


def test_wrong_method_gets_a_plain_page(client):
    response = client.put("/login")
    assert response.status_code == 405
    assert "<h1>Page not found</h1>" in response.get_data(as_text=True)


def test_too_large_a_post_is_refused_politely(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = client.post("/login", data={"email": "x" * 5000})
    assert response.status_code == 413
    assert "That was too much to send" in response.get_data(as_text=True)


def test_a_crash_rolls_back_and_shows_a_plain_page(app, client, login_as):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        db.session.add(Organisation(name="Half written", kind=OrganisationKind.OTHER))
        db.session.flush()
        raise RuntimeError("kaboom")

    boom.allowed_roles = "public"
    user = login_as(Role.ORGANISER)
    response = client.get("/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Sorry, something went wrong" in page and "kaboom" not in page and "Traceback" not in page
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0
    assert user.id


def test_bad_form_gets_messages_not_a_crash(client, login_as):
    login_as(Role.ORGANISER)
    response = client.submit("/meetings/new", {"group": "999", "title": "", "date": "2027-02-31",
                                               "start_time": "25:00", "end_time": "", "mode": "nonsense"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<title>Error: Add a meeting" in page
    assert "Enter a title for the meeting." in page
