from survey_app.models import Role


def test_walk(client, login_as, sample):
    login_as(Role.ADMIN)
    for url in ["/dashboard", "/meetings", "/meetings?when=past", "/people", "/people?q=now", "/groups",
                "/organisations", "/admin/users", "/account", "/people/new", "/meetings/new", "/groups/new",
                "/organisations/new", "/admin/users/new", f"/meetings/{sample['meeting'].id}",
                f"/people/{sample['person'].id}", f"/groups/{sample['group'].id}",
                f"/meetings/{sample['meeting'].id}/edit", f"/people/{sample['person'].id}/edit"]:
        r = client.get(url)
        assert r.status_code == 200, (url, r.get_data(as_text=True)[:2000])
