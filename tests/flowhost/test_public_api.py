"""flowhost uses only the public names of `scheme`.

Public: the names in `scheme.__all__` and in `scheme.embed.__all__` (see the package
docstring). Every `import` in flowhost/ -- at module level or inside a function -- is read
with `ast`; importing any other scheme module, or an underscore name, fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import scheme
import scheme.embed

FLOWHOST = Path(__file__).resolve().parents[2] / "flowhost"
PUBLIC = {"scheme": set(scheme.__all__), "scheme.embed": set(scheme.embed.__all__)}


def private_imports(source: str, filename: str) -> list[str]:
    """`file:line: what` for each import of a non-public scheme module or name."""
    bad: list[str] = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "scheme" and alias.name not in PUBLIC:
                    bad.append(f"{filename}:{node.lineno}: import {alias.name}")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            module = node.module
            if module.split(".")[0] != "scheme":
                continue
            if module not in PUBLIC:
                bad.append(f"{filename}:{node.lineno}: from {module} import ...")
                continue
            for alias in node.names:
                if alias.name.startswith("_") or alias.name not in PUBLIC[module]:
                    bad.append(f"{filename}:{node.lineno}: from {module} import {alias.name}")
    return bad


def test_flowhost_imports_only_public_scheme_names() -> None:
    files = sorted(FLOWHOST.rglob("*.py"))
    assert files, FLOWHOST
    bad = [b for f in files for b in private_imports(f.read_text(), f.name)]
    assert bad == [], "flowhost imports private scheme names:\n" + "\n".join(bad)


@pytest.mark.parametrize(
    "line",
    [
        "from scheme.expand.nodes import App",
        "from scheme.run.machine import Machine",
        "import scheme.run.frames",
        "from scheme import _private",
        "from scheme import compiler",
        "from scheme.embed import _machine",
        "def f():\n    from scheme.expand.syntax import strip",
    ],
)
def test_the_check_catches_private_imports(line: str) -> None:
    assert private_imports(line, "x.py") != []


@pytest.mark.parametrize(
    "line", ["from scheme import Interpreter", "from scheme.embed import call", "import scheme"]
)
def test_the_check_lets_public_imports_through(line: str) -> None:
    assert private_imports(line, "x.py") == []


def test_every_public_name_exists() -> None:
    for module, names in PUBLIC.items():
        mod = scheme if module == "scheme" else scheme.embed
        missing = [n for n in names if not hasattr(mod, n)]
        assert missing == [], (module, missing)
