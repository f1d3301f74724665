"""Out-of-range numbers in a page's address: `?page=` and `?year=` that are huge, negative, zero, not digits
or not ASCII digits give the ordinary "Page not found" page (or the list clamped to a page that exists),
never a 500 or an error in the log. One walk over every GET route, with real ids, as staff, as a door
tablet and as nobody."""
import logging
import secrets

import pytest

from survey_app.models import Invitation, Role
from survey_app.web.extensions import db
from tests.door_helpers import start_door_mode

BAD_NUMBERS = ["922337203685477580", "2147483648", "999999999", "-1", "0", "x", "", "٣", "²"]
# The lists that are paged: a page past the end or a bad number is "not found".
PAGED = {"organise.people", "organise.meetings", "organise.groups", "organise.organisations",
         "organise.group_suggestions", "admin.users", "admin.audit_log"}
NOT_FOUND = "Page not found"


def _routes(app, who):
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        roles = getattr(app.view_functions[rule.endpoint], "allowed_roles", None)
        if (roles == "door") == (who == "door"):
            yield rule


def _walk(app, client, who, ids, caplog) -> set[str]:
    seen = set()
    for rule in _routes(app, who):
        url = rule.build({k: ids.get(k, 1) for k in rule.arguments}, append_unknown=False)[1]
        for value in BAD_NUMBERS:
            for arg in ("page", "year"):
                caplog.clear()
                response = client.get(url, query_string={arg: value})
                response.close()  # a streamed download is finished with before the next request
                assert response.status_code in (200, 302, 403, 404), (url, arg, value, response.status_code)
                errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
                assert not errors, (url, arg, value, [r.getMessage() for r in errors])
                if who == "admin" and rule.endpoint in PAGED and arg == "page" and value != "":
                    assert response.status_code == 404, (url, value)
                    assert NOT_FOUND in response.get_data(as_text=True)
        seen.add(rule.endpoint)
    return seen


@pytest.mark.parametrize("who", ["admin", "door", "nobody"])
def test_out_of_range_page_and_year_never_give_a_500(app, client, login_as, sample, caplog, who):
    invitation = Invitation(meeting_id=sample["meeting"].id, person_id=sample["person"].id,
                            token=secrets.token_urlsafe(24))
    db.session.add(invitation)
    db.session.commit()
    ids = {"group_id": sample["group"].id, "meeting_id": sample["meeting"].id, "person_id": sample["person"].id,
           "org_id": sample["organisation"].id, "token": invitation.token, "kind": "payment"}
    if who == "admin":
        login_as(Role.ADMIN)
    elif who == "door":
        login_as(Role.ORGANISER)
        start_door_mode(client, sample["meeting"].id)
    with caplog.at_level(logging.WARNING):
        seen = _walk(app, client, who, ids, caplog)
    if who == "admin":
        assert PAGED | {"finance.summary", "admin.budgets"} <= seen
    if who == "door":
        assert "door.vote" in seen


@pytest.mark.parametrize("url", ["/people", "/meetings", "/meetings?when=past", "/groups", "/organisations",
                                 "/admin/users", "/admin/audit"])
def test_a_page_after_the_last_is_not_found_and_the_first_pages_work(client, login_as, sample, url):
    login_as(Role.ADMIN)
    joiner = "&" if "?" in url else "?"
    assert client.get(url).status_code == 200
    assert client.get(f"{url}{joiner}page=1").status_code == 200
    response = client.get(f"{url}{joiner}page=922337203685477580")
    assert response.status_code == 404 and NOT_FOUND in response.get_data(as_text=True)
    assert client.get(f"{url}{joiner}page=2").status_code == 404


def test_finance_summary_years(client, login_as):
    login_as(Role.FINANCE)
    assert client.get("/finance/summary?year=2025").status_code == 200
    for year in ("999999999", "0", "-2025", "٢٠٢٥", "1999", "2101", "abcd"):
        response = client.get(f"/finance/summary?year={year}")
        assert response.status_code == 404, year
        assert NOT_FOUND in response.get_data(as_text=True)


def test_ids_in_the_query_string_beyond_the_database_are_not_found_or_ignored(client, login_as, sample):
    login_as(Role.ORGANISER)
    huge = "99999999999999999999"
    group, person = sample["group"].id, sample["person"].id
    assert client.get(f"/groups/{group}/actions/new?suggestion={huge}").status_code == 404
    assert client.get(f"/groups/{group}/actions/new?meeting={huge}").status_code == 200
    assert client.get(f"/people/{person}/recognition/payment?meeting={huge}").status_code == 200
