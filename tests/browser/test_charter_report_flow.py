"""An organiser opens the Charter report (issue 18) from the menu with the demo data loaded, chooses every group
and this year, reads the report and its easy-read version (axe-core finds nothing on either), and downloads the
PDF; screenshots of both pages land in test-output/."""
import pytest

from survey_app.models import Role
from tests.browser.test_results_flow import sign_in

pytestmark = pytest.mark.browser


def test_organiser_reads_the_charter_report_and_takes_the_pdf(page, axe_check, screenshot, make_user, runner,
                                                              tmp_path):
    # The live server shares the test's database, so the demo loaded here is what it serves.
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    sign_in(page, make_user(Role.ORGANISER))

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Charter report").click()
    page.wait_for_url("**/reports/charter")
    axe_check(page)
    page.get_by_label("Group").select_option(label="Every group")
    page.get_by_label("This year (1 April to 31 March)").check()
    page.get_by_role("button", name="Show the report").click()
    page.wait_for_url("**/reports/charter/report?**")

    assert page.locator("h1").inner_text() == "Charter report: every group"
    main = page.inner_text("main")
    for words in ("Who took part", "People who took part", "Fewer than 5", "Rewarded for their time"):
        assert words in main, words
    assert "None" not in main.split()
    axe_check(page)
    screenshot(page, "charter-report-page")

    page.get_by_role("link", name="The easy-read version, for the group").click()
    page.wait_for_url("**/reports/charter/easy-read?**")
    assert "Fewer than 5" in page.inner_text("main")
    axe_check(page)
    screenshot(page, "charter-report-easy-read")
    page.go_back()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the report as a PDF").click()
    download = download_info.value
    assert download.suggested_filename.startswith("charter-report-") and download.suggested_filename.endswith(".pdf")
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 10_000
