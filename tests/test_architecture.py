"""Imports point one way (README, "Architecture"): core <- boards, pictograms, generation,
speech <- session <- ui. A module that imports against that arrow fails here."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app"
LOWER = {"core": set(), "session": {"core", "boards", "pictograms", "generation", "speech"}}
for middle in ("boards", "pictograms", "generation", "speech"):
    LOWER[middle] = {"core"}
LOWER["ui"] = {"core", "boards", "pictograms", "generation", "speech", "session"}


def imported_packages(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        out |= {n.split(".")[1] for n in names if n.startswith("app.") and n.count(".") >= 1}
    return out


def test_imports_point_one_way():
    wrong = []
    for package, allowed in LOWER.items():
        for path in sorted((APP / package).rglob("*.py")):
            for target in imported_packages(path) & set(LOWER) - {package} - allowed:
                wrong.append(f"{path.relative_to(APP.parent)} imports app.{target}")
    assert not wrong, wrong
    assert imported_packages(APP / "session" / "session.py") >= {"core", "generation"}  # it reads
