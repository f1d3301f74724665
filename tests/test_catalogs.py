"""The translation catalogs stay current with the code (full translations come with the languages issue)."""
import re
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ["pl", "ro", "pt", "ar"]


def extract_keywords() -> list[str]:
    """The `-k` arguments of `make extract` (the Makefile is their one home), as pybabel arguments."""
    line = next(line for line in (ROOT / "Makefile").read_text().splitlines() if "pybabel extract" in line)
    keywords = re.findall(r"-k (\S+)", line)
    assert {"_l", "lazy_gettext", "lazy_ngettext:1,2", "lazy_pgettext:1c,2"} <= set(keywords)
    return [arg for keyword in keywords for arg in ("-k", keyword)]


def _ids(catalog):
    """Each message's (context, id): "Sign in" at the door and for a staff account are two messages."""
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}


def test_messages_pot_is_up_to_date(tmp_path):
    fresh = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
                    *extract_keywords(), "--no-location", "-o", str(fresh), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with fresh.open("rb") as f:
        extracted = _ids(read_po(f))
    with (ROOT / "translations" / "messages.pot").open("rb") as f:
        committed = _ids(read_po(f))
    assert extracted - committed == set(), "new strings: run `make update-translations`"
    assert committed - extracted == set(), "strings no longer used: run `make update-translations`"


def test_every_language_catalog_has_every_message():
    with (ROOT / "translations" / "messages.pot").open("rb") as f:
        template = _ids(read_po(f))
    for lang in LANGUAGES:
        with (ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
            missing = template - _ids(read_po(f))
        assert missing == set(), f"{lang} catalog lacks {len(missing)} messages: run `make update-translations`"


def test_the_app_reads_the_top_level_catalogs(app):
    assert app.config["BABEL_TRANSLATION_DIRECTORIES"] == str(ROOT / "translations")
