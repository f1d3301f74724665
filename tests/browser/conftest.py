"""Real-browser fixtures: the app served on a loopback port, and Debian's Chromium driven by Playwright.

Without a `chromium` on PATH these tests skip; with REQUIRE_BROWSER=1 (as .ci/run sets) they fail instead.
"""
import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

OUTPUT = Path(__file__).resolve().parents[2] / "test-output"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium_path():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="session")
def chromium_browser():
    path = _chromium_path()
    if path is None:
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail("REQUIRE_BROWSER is set but no chromium is on PATH")
        pytest.skip("no chromium on PATH (install Debian's chromium package to run browser tests)")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page(chromium_browser, live_server):
    context = chromium_browser.new_context(viewport={"width": 1024, "height": 768}, bypass_csp=True,
                                           base_url=live_server)
    page = context.new_page()
    outside = []
    page.on("request", lambda req: outside.append(req.url) if not req.url.startswith(live_server) else None)
    yield page
    context.close()
    assert outside == [], f"the page asked for something outside the service: {outside}"


@pytest.fixture
def axe_check():
    """Run axe-core on the page; fail on any violation, whatever its impact."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()

    def check(page):
        page.wait_for_load_state()  # after a click, axe on a document still loading finds none
        results = axe.run(page)
        bad = [f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
               for v in results.response["violations"]]
        assert bad == [], f"axe-core on {page.url}: {bad}"

    return check


@pytest.fixture
def screenshot():
    OUTPUT.mkdir(exist_ok=True)

    def shoot(page, name):
        page.screenshot(path=str(OUTPUT / f"{name}.png"), full_page=True)

    return shoot
