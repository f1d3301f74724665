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

from survey_app.models import Attendance, AttendanceStatus, Invitation, Meeting, RecognitionKind, RecognitionLine, Role
from survey_app.participation.invitations import make_links
from survey_app.web.extensions import db
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
    locator.scroll_into_view_if_needed()
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


def sign_in(page, user):
    page.goto("/login")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


DOOR_WELCOME = [("big choice link", ".big-choice"), ("pill", ".pill[aria-pressed=false]"),
                ("pressed pill", ".pill[aria-pressed=true]"), ("quiet button in the bar", ".bar .button--quiet"),
                ("staff link", ".staff-link a")]
DOOR_NEW = [("text input", "input[type=text]"), ("radio", "input[type=radio]"),
            ("checkbox", "input[type=checkbox]"), ("button", "main button[type=submit]")]
DOOR_CHECKLIST = [("answer", ".answer")]


def door_elements(page, tag):
    for url, elements in (("/door/", DOOR_WELCOME), ("/door/new", DOOR_NEW), ("/door/checklist", DOOR_CHECKLIST)):
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
