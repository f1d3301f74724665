"""Issue 14, points 1, 2, 13 and the finance approvals at tablet size, measured in a real Chromium:

- focus you can see: for a sample of every kind of focusable thing on door pages (normal and high contrast),
  the personal-link page and staff pages, screenshots of the element's area unfocused and focused by
  keyboard; the pixels that changed must have at least 3:1 contrast between their two colours over at least
  the area of a 2 px perimeter of the element (WCAG 2.4.11 and 2.4.13), and some must lie outside the
  element or on its edge (a ring, not a change of colour inside it);
- no sideways scrolling on the staff pages in Arabic (right to left), at 1024 and 320 px;
- every staff page at 320 px: the page never scrolls sideways, every table scrolls in a region of its own
  with an accessible name, and chart text is drawn at 12 px or more;
- "Lines to approve" fits a 768 px tablet.
"""
import struct
import zlib
from datetime import date

import pytest
from sqlalchemy import select

from survey_app.models import Attendance, AttendanceStatus, Invitation, RecognitionKind, RecognitionLine, Role
from survey_app.participation.invitations import make_links
from survey_app.web.extensions import db
from tests.browser.test_duplicates_flow import sign_in
from tests.conftest import PASSWORD
from tests.door_helpers import make_it_today
from tests.test_walks import url_for_rule, walk  # noqa: F401  (walk is a fixture)

pytestmark = pytest.mark.browser

PHONE = {"width": 320, "height": 640}
TABLET = {"width": 768, "height": 1024}
DESKTOP = {"width": 1024, "height": 768}
PAD = 10  # px around the element in each screenshot, where a focus ring goes


# --- PNG decoding (no image library in the environment): 8-bit RGB or RGBA, not interlaced -------------

def decode_png(data: bytes) -> tuple[int, int, list[list[tuple[int, int, int]]]]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, (depth, colour, interlace)
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride = zlib.decompress(idat), width * bpp
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = previous[i]
            c = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(width)])
        previous = line
    return width, height, rows


def luminance(rgb) -> float:
    def channel(v):
        v /= 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
    r, g, b = map(channel, rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one, two) -> float:
    a, b = sorted((luminance(one), luminance(two)), reverse=True)
    return (a + 0.05) / (b + 0.05)


# --- focus -----------------------------------------------------------------------------------------------

def measure_focus(page, locator, name: str) -> float:
    """Screenshot the element's area unfocused and focused as a keyboard user focuses it; assert the change
    is a focus indicator of 3:1 over at least a 2 px perimeter, reaching outside the element or its edge.
    Returns the lowest contrast among the pixels that make up that perimeter's area."""
    # In the middle of the screen, so the indicator is not cut off by the screen's edge.
    locator.evaluate("el => el.scrollIntoView({block: 'center', inline: 'center'})")
    page.evaluate("document.activeElement && document.activeElement.blur()")
    page.mouse.move(1, 1)
    box = locator.bounding_box()
    assert box and box["width"] and box["height"], f"{name} is not on screen"
    view = page.viewport_size
    left, top = max(0, int(box["x"]) - PAD), max(0, int(box["y"]) - PAD)
    right = min(view["width"], int(box["x"] + box["width"]) + 1 + PAD)
    bottom = min(view["height"], int(box["y"] + box["height"]) + 1 + PAD)
    clip = {"x": left, "y": top, "width": right - left, "height": bottom - top}
    before = decode_png(page.screenshot(clip=clip, animations="disabled"))
    page.keyboard.press("Shift")  # a key press: the browser now shows focus as it does for keyboard users
    locator.focus()
    assert locator.evaluate("el => el.matches(':focus-visible')"), f"{name}: not :focus-visible"
    after = decode_png(page.screenshot(clip=clip, animations="disabled"))
    page.evaluate("document.activeElement && document.activeElement.blur()")
    assert before[:2] == after[:2]
    # The element's box within the clip, and its 1 px edge.
    x0, y0 = box["x"] - left, box["y"] - top
    x1, y1 = x0 + box["width"], y0 + box["height"]
    ratios, reaching_out = [], 0
    for y in range(before[1]):
        for x in range(before[0]):
            old, new = before[2][y][x], after[2][y][x]
            if old == new:
                continue
            ratio = contrast(old, new)
            ratios.append(ratio)
            inside = x0 + 1 <= x < x1 - 1 and y0 + 1 <= y < y1 - 1
            reaching_out += ratio >= 3 and not inside
    needed = int(4 * (box["width"] + box["height"]))  # the area of a 2 px thick perimeter
    ratios.sort(reverse=True)
    lowest = ratios[needed - 1] if len(ratios) >= needed else 0.0
    print(f"focus {name}: {box['width']:.0f}x{box['height']:.0f}, {len(ratios)} px changed, "
          f"lowest contrast over a 2 px perimeter ({needed} px) {lowest:.2f}:1")
    assert lowest >= 3, f"{name}: only {sum(r >= 3 for r in ratios)} of {needed} px changed with 3:1 or more"
    assert reaching_out >= needed // 2, f"{name}: the indicator does not reach outside the element"
    return lowest


DOOR_WELCOME = [("big choice link", ".big-choice"), ("pill", ".pill[aria-pressed=false]"),
                ("pressed pill", ".pill[aria-pressed=true]"), ("quiet button in the bar", ".bar .button--quiet"),
                ("staff link", ".staff-link a")]
DOOR_NEW = [("text input", "input[type=text]"), ("button", "main button[type=submit]"), ("back link", ".back-link")]
DOOR_ROLE = [("radio", "input[type=radio]")]
DOOR_CHECKLIST = [("answer radio", "input[type=radio]"), ("tell us more", "textarea"),
                  ("secondary button", ".button--secondary")]


def door_elements(page, tag):
    for url, elements in (("/door/", DOOR_WELCOME), ("/door/new/name", DOOR_NEW), ("role", DOOR_ROLE),
                          ("/door/checklist", DOOR_CHECKLIST)):
        if url == "role":  # the registration's second page: answer the first
            page.goto("/door/new/name")
            page.get_by_label("Your first name").fill("Ada")
            page.get_by_label("Your last name").fill("Lovelace")
            page.locator("main button[type=submit]").click()
            page.wait_for_load_state()
        else:
            page.goto(url)
        for name, selector in elements:
            measure_focus(page, page.locator(selector).first, f"door {tag} {url} {name}")


def test_focus_on_door_pages_normal_and_high_contrast(page, make_user, sample):
    meeting = sample["meeting"]
    meeting.checklist_open = True
    db.session.commit()
    make_it_today(meeting.id)
    page.set_viewport_size(TABLET)
    sign_in(page, make_user(Role.ORGANISER))
    page.goto(f"/meetings/{meeting.id}")
    page.get_by_role("button", name="Start door mode").click()
    page.wait_for_url("**/door/")
    door_elements(page, "normal")
    page.goto("/door/")
    page.get_by_role("button", name="High contrast").click()
    page.wait_for_load_state()
    assert "high-contrast" in page.locator("html").get_attribute("class")
    door_elements(page, "high contrast")


def test_focus_on_the_personal_link_page(page, sample):
    db.session.add(Attendance(meeting_id=sample["meeting"].id, person_id=sample["person"].id,
                              status=AttendanceStatus.INVITED))
    make_links(sample["meeting"])
    db.session.commit()
    token = db.session.scalar(select(Invitation.token))
    page.set_viewport_size(PHONE)
    page.goto(f"/invite/{token}")
    focusable = page.locator("main a, main button, main input:not([type=hidden])")
    assert focusable.count() >= 2
    kinds = set()
    for i in range(focusable.count()):
        el = focusable.nth(i)
        kind = el.evaluate("el => el.tagName + '.' + el.className")
        if kind not in kinds:
            kinds.add(kind)
            measure_focus(page, el, f"personal link {kind}")


def test_focus_on_staff_pages(page, make_user, sample):
    page.set_viewport_size(DESKTOP)
    page.goto("/login")
    measure_focus(page, page.get_by_label("Email address"), "login input")
    measure_focus(page, page.locator("main button[type=submit]"), "login button")
    measure_focus(page, page.locator(".site-name"), "site name in the blue header")
    sign_in(page, make_user(Role.ADMIN))
    page.goto("/dashboard")
    measure_focus(page, page.locator(".site-nav a").first, "header nav link")
    measure_focus(page, page.locator(".sign-out button"), "sign out (quiet button)")
    page.goto(f"/meetings/{sample['meeting'].id}")
    measure_focus(page, page.locator("main .button").first, "green button")
    measure_focus(page, page.locator("main .button--secondary").first, "secondary button")
    measure_focus(page, page.locator("main a:not(.button)").first, "link in the page")
    page.goto("/people")
    measure_focus(page, page.locator("main input.input").first, "search input")
    measure_focus(page, page.locator(".table-scroll").first, "table scroll region")
    measure_focus(page, page.locator(".table a").first, "link in a table")
    page.goto("/meetings/new")
    measure_focus(page, page.locator("input[type=radio]").first, "radio")
    measure_focus(page, page.locator("input[type=checkbox]").first, "checkbox")


# --- width: no sideways scrolling, tables in named regions, readable charts -----------------------------

PAGE_FACTS = """() => {
  const named = (el) => {
    const ids = el.getAttribute('aria-labelledby');
    const name = ids ? ids.split(/\\s+/).map(id => (document.getElementById(id) || {textContent: ''}).textContent).join(' ')
                     : (el.getAttribute('aria-label') || '');
    return name.trim();
  };
  const tables = [...document.querySelectorAll('main table')].map(t => {
    const region = t.closest('[role=region]');
    const what = (t.caption ? t.caption.textContent : t.querySelector('th') ? t.querySelector('th').textContent : '').trim();
    if (!region) return 'not in a region: ' + what;
    if (!named(region)) return 'in a region with no name: ' + what;
    if (region.tabIndex !== 0) return 'in a region a keyboard cannot reach: ' + what;
    return null;
  }).filter(Boolean);
  const charts = [...document.querySelectorAll('svg.chart text')]
    .map(t => [t.textContent, parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a])
    .filter(([text, size]) => size < 11.95).map(([text, size]) => `${text}: ${size.toFixed(1)}px`);
  const targets = [...document.querySelectorAll('main table a, main table button')]
    .map(el => [el, el.getBoundingClientRect()]).filter(([el, r]) => r.width && (r.width < 24 || r.height < 24))
    .map(([el, r]) => `${el.textContent.trim().slice(0, 30)} ${r.width.toFixed(0)}x${r.height.toFixed(0)}`);
  const de = document.documentElement;
  const wide = [...document.body.querySelectorAll('*')].filter(el => {
    const r = el.getBoundingClientRect();
    return r.width && (r.right > de.clientWidth + 1 || r.left < -1) && !el.closest('.table-scroll, .chart-scroll')
      && ![...el.children].some(c => { const q = c.getBoundingClientRect(); return q.right > de.clientWidth + 1 || q.left < -1; });
  }).slice(0, 5).map(el => el.tagName + '.' + el.className + ' "' + (el.textContent || '').trim().slice(0, 40) + '"');
  return {scroll: de.scrollWidth, client: de.clientWidth, tables, charts, targets, wide};
}"""


def check_width(page, url, size):
    facts = page.evaluate(PAGE_FACTS)
    assert facts["scroll"] <= facts["client"] + 1, \
        f"{url} scrolls sideways at {size['width']} px: {facts['scroll']} > {facts['client']}: {facts['wide']}"
    assert facts["tables"] == [], f"{url}: {facts['tables']}"
    assert facts["charts"] == [], f"{url}: chart text smaller than 12 px: {facts['charts']}"
    assert facts["targets"] == [], f"{url}: links or buttons in a table smaller than 24x24 px: {facts['targets']}"
    return facts


def new_page(chromium_browser, live_server, size, locale="en-GB"):
    context = chromium_browser.new_context(viewport=size, base_url=live_server, locale=locale)
    return context, context.new_page()


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1024", "320"])
def test_staff_pages_in_arabic_do_not_scroll_sideways(chromium_browser, live_server, make_user, sample, size):
    context, page = new_page(chromium_browser, live_server, size, locale="ar")
    try:
        page.goto("/login")
        assert page.locator("html").get_attribute("dir") == "rtl"
        check_width(page, "/login", size)
        page.keyboard.press("Tab")  # the skip link shows where it stands, on the right in Arabic
        link = page.locator(".skip-link").bounding_box()
        assert link["width"] > 50 and link["height"] > 20, link
        assert link["x"] >= 0 and link["x"] + link["width"] <= size["width"], link
        assert link["x"] + link["width"] > size["width"] - 40, f"the skip link is not at the start (right): {link}"
        check_width(page, "/login", size)
        admin = make_user(Role.ADMIN)
        page.locator("input[name=email]").fill(admin.email)
        page.locator("input[name=password]").fill(PASSWORD)
        page.locator("main button[type=submit]").click()
        page.wait_for_url("**/dashboard")
        meeting, group = sample["meeting"].id, sample["group"].id
        for url in ("/dashboard", "/meetings", f"/meetings/{meeting}", "/people", f"/people/{sample['person'].id}",
                    f"/meetings/{meeting}/results", f"/groups/{group}", "/finance/", "/finance/approve",
                    "/admin/users", "/admin/audit", "/no-such-page"):
            response = page.goto(url)
            assert response.status == (404 if url == "/no-such-page" else 200), url
            assert page.locator("html").get_attribute("dir") == "rtl", url
            assert page.locator(".site-nav").count() == 1, f"{url} is not in the staff layout"
            check_width(page, url, size)
    finally:
        context.close()


def staff_get_urls(app, walk):  # noqa: F811  (walk is the fixture's value)
    """Every staff page that answers a GET with an HTML page, with real ids, and who may see it."""
    urls = []
    for rule in app.url_map.iter_rules():
        allowed = getattr(app.view_functions[rule.endpoint], "allowed_roles", "public")
        if "GET" not in rule.methods or allowed in ("public", "personal-link", "door") or rule.endpoint == "static":
            continue
        who = "admin" if Role.ADMIN in allowed else "finance"
        url = url_for_rule(rule, walk["values"])
        response = walk[who].get(url)
        response.close()  # a streamed download holds its request context until it is closed
        if response.status_code == 200 and response.mimetype == "text/html":
            urls.append((who, url))
    return urls


def test_every_staff_page_fits_a_320px_phone(app, walk, chromium_browser, live_server, make_user, axe_check):  # noqa: F811
    urls = staff_get_urls(app, walk)
    assert len(urls) >= 35, urls
    pages = {}
    try:
        for who, role in (("admin", Role.ADMIN), ("finance", Role.FINANCE)):
            context, page = new_page(chromium_browser, live_server, PHONE)
            sign_in(page, make_user(role))
            pages[who] = (context, page)
        tables = charts = 0
        problems = []
        for who, url in urls:
            page = pages[who][1]
            response = page.goto(url)
            assert response.status == 200, url
            try:
                check_width(page, url, PHONE)
            except AssertionError as problem:
                problems.append(str(problem).split("\n")[0])
            tables += page.locator("main table").count()
            charts += page.locator("svg.chart").count()
            if url in ("/dashboard", "/people", "/finance/approve", "/finance/summary") or url.endswith("/results"):
                axe_check(page)
        print(f"{len(urls)} staff pages at 320 px, {tables} tables, {charts} charts")
        assert problems == [], "\n".join(problems)
        assert tables >= 30 and charts >= 3
    finally:
        for context, _ in pages.values():
            context.close()


# --- Lines to approve on a tablet ---------------------------------------------------------------------------

def test_lines_to_approve_fit_a_tablet_and_approve_every_line_i_can(page, axe_check, make_user, sample):
    organiser, finance = make_user(Role.ORGANISER, name="Organiser With A Long Name"), make_user(Role.FINANCE)
    person, meeting = sample["person"], sample["meeting"]

    def line(by, pence, description=""):
        made = RecognitionLine(person_id=person.id, group_id=sample["group"].id, meeting_id=meeting.id,
                               activity_on=date(2026, 5, 1), kind=RecognitionKind.EXPENSE, amount_pence=pence,
                               description=description, recorded_by_id=by.id)
        db.session.add(made)
        return made

    theirs = [line(organiser, 1250 + i, "Train fare from Widnes and back, with a taxi from the station")
              for i in range(3)]
    own = line(finance, 999999)
    db.session.commit()
    page.set_viewport_size(TABLET)
    sign_in(page, finance)
    page.goto("/finance/approve")
    axe_check(page)
    fits = page.evaluate("""() => {
      const cells = [...document.querySelectorAll('.approve-table td.num')].map(td => td.getBoundingClientRect().right);
      const region = document.querySelector('.approve-table').closest('.table-scroll');
      return {right: Math.max(...cells), view: document.documentElement.clientWidth,
              scroll: document.documentElement.scrollWidth, regionScroll: region.scrollWidth, region: region.clientWidth,
              recorder: Math.max(...[...document.querySelectorAll('.approve-table td:last-child')]
                                    .map(td => td.getBoundingClientRect().right))};
    }""")
    assert fits["scroll"] <= fits["view"], fits
    assert fits["right"] <= fits["view"] and fits["recorder"] <= fits["view"], fits
    assert fits["regionScroll"] <= fits["region"], f"the table scrolls inside its region on a tablet: {fits}"
    page.get_by_role("button", name="Approve every line I can approve").click()
    page.wait_for_load_state()
    assert "Lines approved: 3." in page.locator("main").inner_text()
    db.session.rollback()
    statuses = {ln.id: db.session.get(RecognitionLine, ln.id).status.value for ln in [*theirs, own]}
    assert statuses == {**{ln.id: "approved" for ln in theirs}, own.id: "recorded"}
    assert "You recorded this" in page.locator("main").inner_text()
    assert page.get_by_role("button", name="Approve every line I can approve").count() == 0
