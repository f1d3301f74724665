"""Every route states who may use it, and each role gets the status the permissions table says."""
import pytest

from survey_app.models import Role

ANON, ORGANISER, FINANCE, ADMIN = "anonymous", Role.ORGANISER, Role.FINANCE, Role.ADMIN


def test_every_route_declares_who_may_use_it(app):
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        if not getattr(view, "allowed_roles", None):
            missing.append(f"{rule.rule} ({rule.endpoint})")
    assert missing == [], f"routes without a role check: {missing}"


def test_only_deliberately_public_routes_are_open(app):
    public = sorted(rule.rule for rule in app.url_map.iter_rules()
                    if rule.endpoint != "static" and app.view_functions[rule.endpoint].allowed_roles == "public")
    assert public == ["/", "/have-your-say/<int:group_id>", "/have-your-say/<int:group_id>/thanks", "/healthz",
                      "/how-did-it-go/<token>", "/how-did-it-go/<token>/<int:number>",
                      "/how-did-it-go/<token>/language", "/how-did-it-go/<token>/thanks",
                      "/login", "/logout", "/public/groups/<int:group_id>/meetings",
                      "/public/groups/<int:group_id>/meetings/easy-read", "/public/groups/<int:group_id>/suggestions",
                      "/public/groups/<int:group_id>/you-said-we-did",
                      "/public/groups/<int:group_id>/you-said-we-did/easy-read", "/setup/<token>"]


ORGANISE_PAGES = ["/groups/{group}/suggestions", "/meetings/{meeting}/support", "/meetings/{meeting}/support/print",
                  "/meetings/{meeting}/support/download", "/people/{person}/support", "/groups/{group}/actions", "/groups/{group}/actions/new", "/meetings/{meeting}/notes",
                  "/meetings/{meeting}/results", "/meetings/{meeting}/results/download", "/groups/{group}/results",
                  "/meetings/{meeting}/results/paper",
                  "/groups/{group}/voices", "/organisations/{organisation}", "/meetings/{meeting}/invitations", "/meetings/{meeting}/invitations/print", "/dashboard", "/meetings", "/meetings/new", "/meetings/{meeting}", "/meetings/{meeting}/edit",
                  "/people", "/people/new", "/people/{person}", "/people/{person}/edit", "/groups", "/groups/new",
                  "/groups/{group}", "/groups/{group}/edit", "/organisations", "/organisations/new",
                  "/organisations/{organisation}/edit"]
FINANCE_PAGES = ["/finance/", "/finance/approve", "/finance/held", "/finance/returns", "/finance/payees",
                 "/finance/summary"]
RECOGNITION_PAGES = ["/meetings/{meeting}/recognition", "/people/{person}/recognition/payment",
                     "/people/{person}/recognition/voucher", "/recognition/{line}/correct"]
ADMIN_PAGES = ["/admin/users", "/admin/users/new", "/admin/users/{user}", "/admin/rates", "/admin/rates/new",
               "/admin/budgets", "/admin/budgets/new", "/admin/audit", "/admin/people/{person}/erase",
               "/admin/people/{person}/records.xlsx"]

# role -> expected status, per the permissions table in docs/DESIGN.md
EXPECTED = (
    [(page, {ANON: 302, ORGANISER: 200, FINANCE: 403, ADMIN: 200}) for page in ORGANISE_PAGES]
    + [(page, {ANON: 302, ORGANISER: 403, FINANCE: 403, ADMIN: 200}) for page in ADMIN_PAGES]
    + [(page, {ANON: 302, ORGANISER: 403, FINANCE: 200, ADMIN: 200}) for page in FINANCE_PAGES]
    + [(page, {ANON: 302, ORGANISER: 200, FINANCE: 403, ADMIN: 200}) for page in RECOGNITION_PAGES]
    + [("/account", {ANON: 302, ORGANISER: 200, FINANCE: 200, ADMIN: 200})]
)


def _locked_line(sample, recorder):
    from datetime import date

    from survey_app.models import FinanceReturn, LineStatus, RecognitionLine
    from survey_app.web.extensions import db

    ret = FinanceReturn(number=1, made_by_id=recorder.id)
    line = RecognitionLine(person_id=sample["person"].id, group_id=sample["group"].id, activity_on=date(2026, 5, 1),
                           kind="payment", amount_pence=4000, recorded_by_id=recorder.id,
                           status=LineStatus.IN_RETURN, finance_return=ret, line_number=1)
    db.session.add(line)
    db.session.commit()
    return line


@pytest.mark.parametrize("role", [ANON, ORGANISER, FINANCE, ADMIN], ids=str)
@pytest.mark.parametrize("page,statuses", EXPECTED, ids=[p for p, _ in EXPECTED])
def test_role_gets_expected_status(client, login_as, make_user, sample, page, statuses, role):
    target = make_user(Role.ORGANISER)
    url = page.format(meeting=sample["meeting"].id, person=sample["person"].id, group=sample["group"].id,
                      organisation=sample["organisation"].id, user=target.id,
                      line=_locked_line(sample, target).id if "{line}" in page else 0)
    if role != ANON:
        login_as(role)
    response = client.get(url)
    assert response.status_code == statuses[role]
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login")
    if response.status_code == 403:
        assert "You cannot see this page" in response.get_data(as_text=True)


POSTS = ["/meetings/{meeting}/door-mode", "/meetings/{meeting}/checklist", "/meetings/{meeting}/invitations/add",
         "/meetings/{meeting}/invitations/links", "/meetings/new", "/people/new", "/groups/new", "/organisations/new", "/admin/users/new",
         "/admin/rates/new", "/admin/budgets/new"]


@pytest.mark.parametrize("url", POSTS)
def test_finance_cannot_write_through_organiser_or_admin_forms(client, login_as, sample, url):
    url = url.format(meeting=sample["meeting"].id)
    login_as(Role.FINANCE)
    token = client.csrf_token("/account")
    response = client.post(url, data={"csrf_token": token, "name": "Sneaky", "title": "Sneaky"})
    assert response.status_code == 403


def test_organiser_cannot_create_staff_accounts(client, login_as):
    login_as(Role.ORGANISER)
    token = client.csrf_token("/account")
    response = client.post("/admin/users/new", data={"csrf_token": token, "name": "X", "email": "x@y.example",
                                                     "role": "admin", "password": "long password",
                                                     "confirm": "long password"})
    assert response.status_code == 403


@pytest.mark.parametrize("url", ["/finance/approve", "/finance/returns", "/finance/payees/1", "/finance/returns/1/paid"])
def test_organisers_cannot_approve_build_or_pay(client, login_as, url):
    login_as(Role.ORGANISER)
    token = client.csrf_token("/account")
    response = client.post(url, data={"csrf_token": token, "line": "1", "paid_on": "2026-06-30"})
    assert response.status_code == 403
