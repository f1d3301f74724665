"""Languages: every participant message translated in pl, ro, pt and ar; pages in each language with
the right lang and dir; dates, times and money formatted by Babel for the locale; exports in English."""
import io
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from babel.dates import format_date, format_time
from babel.messages.pofile import read_po
from babel.numbers import format_currency
from markupsafe import escape
from openpyxl import load_workbook

from survey_app.models import ChecklistResponse, Invitation, Rate, Role
from survey_app.models.base import LONDON
from survey_app.web.extensions import db
from survey_app.web.i18n import BABEL_LOCALES
from tests.test_catalogs import extract_keywords

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ["pl", "ro", "pt", "ar"]
# Everything a participant can see: the door tablet, personal links, the public pages, and the words
# those pages take from forms and models.
PARTICIPANT_SOURCES = """
[python: survey_app/door/**.py]
[python: survey_app/invite/**.py]
[python: survey_app/public/**.py]
[python: survey_app/participation/shared_pages.py]
[python: survey_app/participation/kiosk.py]
[python: survey_app/participation/taking_part.py]
[python: survey_app/participation/checklist_pages.py]
[python: survey_app/participation/equality_pages.py]
[python: survey_app/insight/equality.py]
[python: survey_app/insight/decisions.py]
[python: survey_app/messages/**.py]
[python: survey_app/models/messages.py]
[python: forms/door.py]
[python: forms/tokens.py]
[python: forms/checklist.py]
[python: forms/stop_messages.py]
[python: survey_app/models/meetings.py]
[python: survey_app/models/participation.py]
[python: survey_app/models/insight.py]
[python: survey_app/web/errors.py]
[python: survey_app/web/unavailable.py]
[jinja2: survey_app/templates/errors/error.html]
[jinja2: survey_app/templates/errors/unavailable.html]
[jinja2: survey_app/templates/door/**.html]
[jinja2: survey_app/templates/invite/**.html]
[jinja2: survey_app/templates/public/**.html]
[jinja2: survey_app/templates/participant_base.html]
[jinja2: survey_app/templates/_agenda.html]
[jinja2: survey_app/templates/messages/**.html]
[jinja2: survey_app/templates/messages/**.txt]
"""


@pytest.fixture(scope="module")
def participant_messages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("extract")
    (folder / "babel.cfg").write_text(PARTICIPANT_SOURCES)
    pot = folder / "participant.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(folder / "babel.cfg"),
                    *extract_keywords(), "-o", str(pot), "."], cwd=ROOT, check=True,
                   capture_output=True)
    with pot.open("rb") as f:
        return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in read_po(f) if m.id}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_participant_message_is_translated(participant_messages, lang):
    assert len(participant_messages) > 150  # the door, personal links and public pages really were read
    with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    missing = []
    for context, msgid in sorted(participant_messages, key=lambda m: (m[0] or "", m[1])):
        message = catalog.get(msgid, context)
        strings = message.string if message is not None and isinstance(message.string, tuple) else \
            (message.string,) if message is not None else ("",)
        if message is None or message.fuzzy or not all(strings):
            missing.append(msgid)
    assert missing == [], f"{lang}: {len(missing)} participant messages untranslated or fuzzy, e.g. {missing[:5]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_door_speaks_each_language(door, sample, lang):
    door.submit("/door/language", {"lang": lang}, token_from="/door/")
    page = door.get("/door/").get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{"rtl" if lang == "ar" else "ltr"}"' in page
    assert "<h1>Welcome</h1>" not in page  # the words really changed
    local = sample["meeting"].starts_at.astimezone(LONDON)
    locale = BABEL_LOCALES[lang]
    assert str(escape(format_date(local.date(), "full", locale=locale))) in page
    assert str(escape(format_time(local.time(), "short", locale=locale))) in page
    sign_in = door.get("/door/sign-in").get_data(as_text=True)
    assert f'lang="{lang}"' in sign_in and "<h1>Sign in</h1>" not in sign_in


@pytest.mark.parametrize("lang", ["en", *LANGUAGES])
def test_money_and_dates_on_a_personal_link_follow_the_persons_language(app, sample, lang):
    person, meeting = sample["person"], sample["meeting"]
    person.language = lang
    db.session.add(Rate(group=sample["group"], applies_from=date(2020, 4, 6), hourly_pence=1550,
                        half_day_pence=4050, day_pence=8000, mileage_pence=45))
    db.session.add(Invitation(meeting=meeting, person=person, token="t" * 32))
    db.session.commit()
    page = app.test_client().get("/invite/" + "t" * 32).get_data(as_text=True)
    locale = BABEL_LOCALES[lang]
    local = meeting.starts_at.astimezone(LONDON)
    assert f'<html lang="{lang}"' in page
    assert str(escape(format_currency(Decimal("40.50"), "GBP", locale=locale))) in page
    assert str(escape(format_date(local.date(), "full", locale=locale))) in page


def test_a_personal_link_can_switch_language(app, sample):
    sample["person"].language = "pl"
    db.session.add(Invitation(meeting=sample["meeting"], person=sample["person"], token="u" * 32))
    db.session.commit()
    home = app.test_client()
    assert 'lang="pl"' in home.get("/invite/" + "u" * 32).get_data(as_text=True)
    home.submit("/invite/" + "u" * 32 + "/language", {"lang": "ro"}, token_from="/invite/" + "u" * 32)
    assert 'lang="ro"' in home.get("/invite/" + "u" * 32).get_data(as_text=True)


def test_exports_stay_in_english_and_keep_peoples_words(client, login_as, sample):
    login_as(Role.ORGANISER)
    db.session.add(ChecklistResponse(meeting=sample["meeting"], responded_on=date(2026, 5, 1), achieved=4,
                                     change="Więcej przerw, proszę 🙂 — mulțumesc, شكرا"))
    db.session.commit()
    with client.session_transaction() as sess:
        sess["lang"] = "pl"
    assert 'lang="pl"' in client.get(f"/meetings/{sample['meeting'].id}/results").get_data(as_text=True)
    response = client.get(f"/meetings/{sample['meeting'].id}/results/download")
    book = load_workbook(io.BytesIO(response.data))
    assert "Summary" in book.sheetnames and "Comments" in book.sheetnames
    words = [c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert "Więcej przerw, proszę 🙂 — mulțumesc, شكرا" in words
