"""The import contract: the folders show the architecture, and imports only point down it.

    blueprints (door, invite, organise, finance, admin, auth, public, cli: views only)
      -> rule packages (access, participation, money, insight, privacy, messages)
        -> models
          -> web (plumbing: no rules, no models)

forms/ and exports/ never import survey_app; no blueprint imports another blueprint. Among the rule
packages, the audit trail (privacy/audit.py, privacy/records.py) sits below the rest, because every rule
package writes to it; otherwise rule packages may use each other, never in a circle. Read from the
source (ast), so an import inside a function counts too.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WEB, MODELS, RULES, BLUEPRINTS = 0, 1, 2, 3
LAYER = {"web": WEB, "models": MODELS,
         **dict.fromkeys(("access", "participation", "money", "insight", "privacy", "messages"), RULES),
         **dict.fromkeys(("door", "invite", "organise", "finance", "admin", "auth", "public", "cli"), BLUEPRINTS)}
LAYER_NAME = {WEB: "web", MODELS: "models", RULES: "a rule package", BLUEPRINTS: "a blueprint"}
AUDIT_TRAIL = {"survey_app.privacy.audit", "survey_app.privacy.records"}  # may import models and web only
OUTSIDE_THE_LAYERS = {"survey_app", "survey_app.migrations"}  # the app factory wires everything; Alembic's env


def module_name(path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) for every import in the file, relative ones resolved."""
    name, is_package = module_name(path)
    package = name.split(".") if is_package else name.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
            found.append((node.lineno, base))
    return found


def area(module: str) -> str | None:
    """The top folder of survey_app a module belongs to: 'web', 'door', ... or None outside survey_app."""
    parts = module.split(".")
    if parts[0] != "survey_app":
        return None
    return parts[1] if len(parts) > 1 else "survey_app"


def python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).rglob("*.py") if "versions" not in p.parts)


def broken_rules(path: Path) -> list[str]:
    name, _ = module_name(path)
    here = area(name) if name.startswith("survey_app") else None
    problems, seen = [], set()
    for line, target in imported_modules(path):
        there = area(target)
        where = f"{path.relative_to(ROOT)}:{line} imports {target}"
        if name.split(".")[0] in ("forms", "exports"):
            if there is not None:
                problems.append(f"{where}: forms/ and exports/ never import survey_app")
            continue
        if there is None or there == here or name in OUTSIDE_THE_LAYERS or here == "migrations":
            continue
        if (line, there) in seen:  # `from ..money import recognition` names survey_app.money twice
            continue
        seen.add((line, there))
        if there not in LAYER:
            problems.append(f"{where}: {there} is not in a known layer (put new code in a package)")
        elif LAYER[there] > LAYER[here] or (LAYER[here] == BLUEPRINTS and LAYER[there] == BLUEPRINTS):
            problems.append(f"{where}: {LAYER_NAME[LAYER[here]]} ({here}) may not import "
                            f"{LAYER_NAME[LAYER[there]]} ({there})")
    return problems


def in_audit_trail(target: str) -> bool:
    """`from ..privacy import audit` names survey_app.privacy.audit, and survey_app.privacy itself."""
    return target == "survey_app.privacy" or any(target == m or target.startswith(m + ".") for m in AUDIT_TRAIL)


def rule_package_imports() -> dict[str, set[str]]:
    """Which rule packages each rule package imports, not counting the audit trail everyone writes to."""
    found: dict[str, set[str]] = {}
    for path in python_files("survey_app"):
        name, _ = module_name(path)
        here = area(name)
        if LAYER.get(here) != RULES:
            continue
        for _, target in imported_modules(path):
            there = area(target)
            if there != here and LAYER.get(there) == RULES and not in_audit_trail(target):
                found.setdefault(here, set()).add(there)
    return found


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every package that can reach itself, with the way round."""
    found = []
    for start in sorted(graph):
        todo = [(start, [start])]
        seen = set()
        while todo:
            node, way = todo.pop()
            for nxt in sorted(graph.get(node, ())):
                if nxt == start:
                    found.append(way + [start])
                elif nxt not in seen:
                    seen.add(nxt)
                    todo.append((nxt, way + [nxt]))
    return found


def test_the_audit_trail_imports_only_models_and_web():
    for module in AUDIT_TRAIL:
        path = ROOT / (module.replace(".", "/") + ".py")
        above = [target for _, target in imported_modules(path) if LAYER.get(area(target), WEB) > MODELS
                 and not in_audit_trail(target)]
        assert above == [], f"{module} is written to by every rule package, so it may not import them"


def test_rule_packages_never_import_each_other_in_a_circle():
    assert circles(rule_package_imports()) == []
    assert circles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"], ["b", "c", "a", "b"],
                                                           ["c", "a", "b", "c"]]


def test_every_survey_app_folder_is_in_a_layer():
    folders = {p.name for p in (ROOT / "survey_app").iterdir() if (p / "__init__.py").exists()}
    assert folders - {"migrations"} == set(LAYER), "a new folder in survey_app/ needs its place in LAYER"
    loose = sorted(p.name for p in (ROOT / "survey_app").glob("*.py") if p.name != "__init__.py")
    assert loose == [], f"modules belong in a package (web/, a rule package or a blueprint), not loose: {loose}"


@pytest.mark.parametrize("folder", ["survey_app", "forms", "exports"])
def test_imports_only_point_down_the_layers(folder):
    problems = [problem for path in python_files(folder) for problem in broken_rules(path)]
    assert problems == []


def test_the_contract_catches_an_import_that_points_up(tmp_path, monkeypatch):
    """The checker itself: a model that imports a rule package, and a blueprint that imports another."""
    fake = tmp_path / "survey_app"
    (fake / "models").mkdir(parents=True)
    (fake / "door").mkdir()
    (fake / "models" / "x.py").write_text("from ..money import recognition\n")
    (fake / "door" / "y.py").write_text("from ..organise import meetings\nfrom ..web import pages\n")
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "z.py").write_text("import survey_app.models\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    assert broken_rules(fake / "models" / "x.py") == [
        "survey_app/models/x.py:1 imports survey_app.money.recognition: models (models) may not import "
        "a rule package (money)"]
    assert broken_rules(fake / "door" / "y.py") == [  # web is fine
        "survey_app/door/y.py:1 imports survey_app.organise.meetings: a blueprint (door) may not import "
        "a blueprint (organise)"]
    assert broken_rules(tmp_path / "exports" / "z.py") == [
        "exports/z.py:1 imports survey_app.models: forms/ and exports/ never import survey_app"]
