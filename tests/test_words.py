"""Words (issue 14 points 4, 5, 12): typed text marked with its language inside a translated page (|theirs),
the right autocomplete tokens at home and none on the door tablet, plurals through ngettext, msgctxt for
words that mean two things, and amounts of money with a decimal comma."""
import re
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import refresh

from forms.door import _short_text
from forms.fields import AmbiguousAmount, MoneyField
from survey_app.access.throttle import Refusal, refused_sign_in
from survey_app.models import Invitation, Role, Suggestion, SuggestionStatus
from survey_app.web.config import ConfigError, from_environment
from survey_app.web.extensions import db
from tests.door_helpers import start_door_mode
from tests.test_dashboard import add_people

ROOT = Path(__file__).resolve().parents[1]


def add_idea(sample, what):
    db.session.add(Suggestion(group_id=sample["group"].id, what=what, why="", name="", source="door",
                              status=SuggestionStatus.NEW, reason=""))
    db.session.commit()


def in_arabic(door):
    door.submit("/door/language", {"lang": "ar"}, token_from="/door/")


# --- 4. Language of parts -------------------------------------------------------------------------------

def test_theirs_escapes_and_marks_the_content_language(app):
    with app.test_request_context():
        assert render_template_string("{{ t|theirs }}", t="Health <b>checks</b> & you!") == \
            '<bdi lang="en">Health &lt;b&gt;checks&lt;/b&gt; &amp; you!</bdi>'
        assert render_template_string("{{ t|theirs('pl') }}", t="Zdrowie") == '<bdi lang="pl">Zdrowie</bdi>'
        assert render_template_string("[{{ t|theirs }}]", t="") == "[]"
        assert render_template_string("[{{ t|theirs }}]", t=None) == "[]"
        app.config["CONTENT_LANGUAGE"] = "cy"
        assert render_template_string("{{ t|theirs }}", t="Iechyd") == '<bdi lang="cy">Iechyd</bdi>'
        # inside a translated sentence the typed part is still marked, and still escaped
        assert render_template_string('{{ _("Led by %(name)s", name=t|theirs) }}', t="A&B") == \
            'Led by <bdi lang="cy">A&amp;B</bdi>'


def test_content_language_setting(tmp_path):
    assert from_environment(tmp_path, env={})["CONTENT_LANGUAGE"] == "en"
    assert from_environment(tmp_path, env={"CONTENT_LANGUAGE": "cy"})["CONTENT_LANGUAGE"] == "cy"
    with pytest.raises(ConfigError, match="CONTENT_LANGUAGE"):
        from_environment(tmp_path, env={"CONTENT_LANGUAGE": 'en" onmouseover="x'})


def test_arabic_door_welcome_and_vote_pages_mark_the_english_title_and_ideas(door, sample):
    sample["meeting"].title = "Health checks!"
    db.session.commit()
    add_idea(sample, "Buses to the hospital?")
    in_arabic(door)
    page = door.get("/door/").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in page
    assert '<h2 class="meeting-card__title"><bdi lang="en">Health checks!</bdi></h2>' in page
    assert '<bdi lang="en">Runcorn Library</bdi>' in page
    page = door.get("/door/vote").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in page
    assert re.search(r'<p class="lead" id="idea-\d+"><bdi lang="en">Buses to the hospital\?</bdi></p>', page)


def test_personal_link_and_public_pages_mark_typed_text(app, client, login_as, sample):
    from tests.test_invitations import invite_and_link

    login_as(Role.ORGANISER)
    invitation = invite_and_link(client, sample)
    assert isinstance(invitation, Invitation)
    home = app.test_client()
    page = home.get(f"/invite/{invitation.token}").get_data(as_text=True)  # Dorota's Polish
    assert 'lang="pl"' in page
    for typed in ("Health checks", "Runcorn Library", "Talk about annual health checks.",
                  "Learning Disability Partnership Board"):
        assert f'<bdi lang="en">{typed}</bdi>' in page
    add_idea(sample, "Easy read letters")
    page = home.get(f"/public/groups/{sample['group'].id}/suggestions").get_data(as_text=True)
    assert '<bdi lang="en">Easy read letters</bdi>' in page


def test_headings_made_in_python_mark_the_group_name_but_the_window_title_stays_plain(client, sample):
    sample["group"].name = "Carers & <Friends>"
    db.session.commit()
    for url, words in ((f"/public/groups/{sample['group'].id}/you-said-we-did", "You said, we did: "),
                       (f"/have-your-say/{sample['group'].id}", "Suggest something for ")):
        page = client.get(url).get_data(as_text=True)
        assert f'<h1>{words}<bdi lang="en">Carers &amp; &lt;Friends&gt;</bdi>' in page
        title = re.search(r"<title>(.*?)</title>", page, re.S)[1]
        assert title.startswith(f"{words}Carers &amp; &lt;Friends&gt;") and "bdi" not in title


# --- 5. Input purpose -----------------------------------------------------------------------------------

def name_input(page):
    return re.search(r'<input[^>]*name="name"[^>]*>', page)[0]


def test_name_is_autofilled_at_home_but_never_on_the_door_tablet(app, client, login_as, sample):
    from tests.test_invitations import invite_and_link

    login_as(Role.ORGANISER)
    invitation = invite_and_link(client, sample)
    home = app.test_client()
    assert 'autocomplete="name"' in name_input(home.get(f"/invite/{invitation.token}/suggest").get_data(as_text=True))
    assert 'autocomplete="name"' in name_input(home.get(f"/have-your-say/{sample['group'].id}").get_data(as_text=True))
    start_door_mode(client, sample["meeting"].id)
    door_page = client.get("/door/suggest").get_data(as_text=True)
    assert 'autocomplete="off"' in name_input(door_page)  # a home page just before did not change the door's
    assert 'autocomplete="name"' not in door_page
    name_page = client.get("/door/new/name").get_data(as_text=True)
    for field in ("first_name", "last_name"):
        assert re.search(rf'<input[^>]*name="{field}"[^>]*autocomplete="off"', name_page), field
    # The contact detail pages come after earlier answers; their fields are the step forms' own.
    from forms.door import AddressStep, EmailStep, PhoneStep

    for form_class, field in ((EmailStep, "email"), (PhoneStep, "phone"), (AddressStep, "address")):
        assert getattr(form_class, field).kwargs["render_kw"]["autocomplete"] == "off", field


# --- 12. Plurals and contexts ---------------------------------------------------------------------------

def test_plural_labels_for_one_and_two_in_english(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        for minutes, words in ((1, "Wait 1 minute and try again."), (2, "Wait 2 minutes and try again.")):
            app.config["LOGIN_LOCK_MINUTES"] = minutes
            assert words in refused_sign_in(Refusal.CLIENT)[0]
            assert words in refused_sign_in(Refusal.LOCKED)[0]
        assert str(_short_text(1).message) == "Please write less. You can use up to 1 letter."
        assert str(_short_text(2).message) == "Please write less. You can use up to 2 letters."


@pytest.mark.parametrize("n,words", [
    (1, ["1</span> support need not arranged yet", "1</span> suggestion waiting"]),
    (2, ["2</span> support needs not arranged yet", "2</span> suggestions waiting"])])
def test_dashboard_counts_say_one_or_many(client, login_as, sample, n, words):
    add_people(sample, login_as(Role.ORGANISER), n, 0)
    page = client.get("/dashboard").get_data(as_text=True)
    for said in words:
        assert said in page


def test_polish_plural_forms_come_from_the_catalogue(app, monkeypatch):
    """Polish has three forms; the page takes the one for the number (here from a catalogue made on the spot,
    so the test does not wait for the translations)."""
    from babel.support import Translations

    from survey_app.web import i18n

    po = ('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
          '"Plural-Forms: nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);\\n"'
          '\n\nmsgid "%(num)d line to approve"\nmsgid_plural "%(num)d lines to approve"\n'
          'msgstr[0] "%(num)d pozycja"\nmsgstr[1] "%(num)d pozycje"\nmsgstr[2] "%(num)d pozycji"\n')
    catalog = read_po(BytesIO(po.encode()), locale="pl")
    mo = BytesIO()
    write_mo(mo, catalog)
    mo.seek(0)
    fake = Translations(mo)
    monkeypatch.setattr(i18n, "translations", lambda: fake)
    with app.test_request_context():
        said = [render_template_string('{{ ngettext("%(num)d line to approve", "%(num)d lines to approve", n) }}',
                                       n=n) for n in (1, 3, 5, 22)]
    assert said == ["1 pozycja", "3 pozycje", "5 pozycji", "22 pozycje"]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The catalogue template as `make extract` makes it: the Makefile's own -k flags."""
    makefile = (ROOT / "Makefile").read_text()
    flags = re.search(r"pybabel extract -F babel\.cfg (.*?) --no-location", makefile)[1].split()
    out = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([str(Path(sys.executable).parent / "pybabel"), "extract", "-F", "babel.cfg", *flags,
                    "--no-location", "-o", str(out), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with out.open("rb") as fh:
        return read_po(fh)


NOUNS = ("answers?|people|persons?|meetings?|votes?|suggestions?|ideas?|lines?|actions?|minutes?|hours?|days?|"
         "years?|letters?|times?|needs?|links?|events?|attendances?|voices?|responses?|different")


def test_every_number_with_a_noun_is_a_plural(extracted):
    number_noun = re.compile(rf"%\(\w+\)d ({NOUNS})\b")
    singular_only = [m.id for m in extracted if m.id and isinstance(m.id, str) and number_noun.search(m.id)]
    assert singular_only == []
    plurals = {m.id[0] for m in extracted if isinstance(m.id, tuple)}
    for one in ("Average answer: %(average)s out of 5, from %(num)d answer.",
                "Recognition recorded for %(num)d person.", "Please write less. You can use up to %(num)d letter.",
                "support need not arranged yet", "line to approve", "different person took part"):
        assert one in plurals


def test_stat_tiles_count_through_ngettext():
    """A big number and the words after it ("3 lines to approve") agree in every language."""
    templates = ROOT / "survey_app" / "templates"
    for path in templates.rglob("*.html"):
        for tile in re.findall(r'<span class="stat">\{\{[^}]*\}\}</span>\s*\{\{[^}]*\}\}', path.read_text()):
            assert "ngettext(" in tile, f"{path.name}: {tile}"


def test_words_with_two_meanings_carry_a_context(extracted):
    contexts = {}
    for m in extracted:
        if m.id in ("Sign in", "Paid", "Name"):
            contexts.setdefault(m.id, set()).add(m.context)
    assert contexts == {"Sign in": {"at the meeting door", "staff account"},
                        "Paid": {"line status", "how to thank someone: money", "money spent so far", "date paid"},
                        "Name": {"person", "organisation"}}


def test_door_and_staff_sign_in_pages_use_their_own_context(app, door, monkeypatch):
    """A catalogue that shows each context proves the pages ask for "Sign in" with the right one."""
    from babel.support import Translations

    from survey_app.web import i18n

    class Marked(Translations):
        def upgettext(self, context, message):
            return f"[{context}] {message}"

    monkeypatch.setattr(i18n.DOMAIN, "get_translations", lambda: Marked())
    assert "[at the meeting door] Sign in" in door.get("/door/").get_data(as_text=True)
    assert "<h1>[at the meeting door] Sign in</h1>" in door.get("/door/sign-in").get_data(as_text=True)
    login = app.test_client().get("/login").get_data(as_text=True)
    assert "<h1>[staff account] Sign in</h1>" in login and "[at the meeting door]" not in login
    assert re.search(r"<button[^>]*>\s*\[staff account\] Sign in|value=\"\[staff account\] Sign in\"", login)


# --- 12. Money with a decimal comma ---------------------------------------------------------------------

@pytest.mark.parametrize("locale,typed,pence", [
    ("pl_PL", "12,50", 1250), ("pl_PL", "12,5", 1250), ("pl_PL", "£12,50", 1250), ("pl_PL", "12.50", 1250),
    ("pl_PL", "1 250,50", 125050), ("pl_PL", "1\u00a0250,50", 125050), ("pl_PL", "1.250,50", 125050),
    ("ro_RO", "1.250,50", 125050), ("pt_PT", "12,50", 1250), ("pl_PL", "1250", 125000),
    ("en_GB", "12.50", 1250), ("en_GB", "1,250.50", 125050), ("en_GB", "£1,250", 125000),
    ("ar", "12.50", 1250)])
def test_money_in_the_persons_way_of_writing(locale, typed, pence):
    assert MoneyField.parse(typed, locale) == pence


@pytest.mark.parametrize("locale,typed", [("en_GB", "12,50"), ("en_GB", "1.250,50"), ("pl_PL", "1,250.50"),
                                          ("pl_PL", "12,505,5"), ("pl_PL", "-12,50"), ("pl_PL", "1e3"),
                                          ("pl_PL", "12,505.00"), ("pl_PL", "1.250 000,00")])
def test_money_that_is_not_an_amount(locale, typed):
    assert MoneyField.parse(typed, locale) is None


@pytest.mark.parametrize("typed", ["1.250", "1,250", "12,505"])
def test_money_that_reads_two_ways_is_refused(typed):
    with pytest.raises(AmbiguousAmount):
        MoneyField.parse(typed, "pl_PL")


def test_a_polish_page_takes_a_decimal_comma_and_says_what_is_wrong_with_1_250(app):
    from wtforms import Form

    class Amount(Form):
        amount = MoneyField("Amount", invalid_message="Not an amount.")

    from werkzeug.datastructures import MultiDict

    with app.test_request_context(headers={"Accept-Language": "pl"}):
        form = Amount(MultiDict({"amount": "12,50"}))
        assert form.validate() and form.amount.data == 1250
        form = Amount(MultiDict({"amount": "1.250"}))
        assert not form.validate() and form.amount.data is None
        assert "1250,50" in form.amount.errors[0]  # the example is written the Polish way
        form = Amount(data={"amount": 1250})
        assert form.amount._value() == "12,50"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        refresh()  # the locale is kept on the app context, which both requests share here
        form = Amount(MultiDict({"amount": "12.50"}))
        assert form.validate() and form.amount.data == 1250
        form = Amount(MultiDict({"amount": "12,50"}))
        assert not form.validate() and form.amount.errors == ["Not an amount."]
