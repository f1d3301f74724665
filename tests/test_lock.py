"""requirements.lock, which `make setup` installs with --require-hashes, covers every requirement in
pyproject.toml (the runtime ones and the dev and redis extras) with a version it allows."""
import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PIN_RE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+) \\$", re.MULTILINE)


def _pins() -> dict[str, str]:
    text = (ROOT / "requirements.lock").read_text()
    return {canonicalize_name(name): version for name, version in PIN_RE.findall(text)}


def _wanted() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    return [Requirement(text) for text in project["dependencies"] + extras["dev"] + extras["redis"]]


def test_the_lock_pins_every_requirement_of_pyproject_at_a_version_it_allows():
    pins = _pins()
    wrong = [f"{req} (locked: {pins.get(canonicalize_name(req.name), 'missing')})" for req in _wanted()
             if canonicalize_name(req.name) not in pins
             or not req.specifier.contains(pins[canonicalize_name(req.name)], prereleases=True)]
    assert wrong == [], f"requirements.lock is behind pyproject.toml: run `make lock` and commit it. {wrong}"

