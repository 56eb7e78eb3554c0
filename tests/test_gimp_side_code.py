"""The code that runs inside GIMP lives in real files under tests/gimp/inside/, each one in use.

Python in a string literal escapes the linter and shows no file or line in a traceback, so a
test module or benchmark that carries some fails here; so does a script nothing runs any more.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
INSIDE = REPO / "tests" / "gimp" / "inside"
HOST_MODULES = sorted([*(REPO / "tests" / "gimp").glob("*.py"), *(REPO / "benchmarks").glob("*.py")])
GIMP_NAMES = ("Gimp.", "hm_write_report", "hm_call", "hm_load")


def _docstrings(tree: ast.Module) -> set[int]:
    """ids of the string nodes that are docstrings."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def gimp_code_in_strings(path: Path) -> list[int]:
    """Line numbers of string literals in ``path`` that are Python code calling GIMP."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = _docstrings(tree)
    lines = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)) or id(node) in docstrings:
            continue
        text = node.value
        if "\n" not in text.strip() or not any(name in text for name in GIMP_NAMES):
            continue
        try:
            compile(text, str(path), "exec")
        except SyntaxError:
            continue
        lines.append(node.lineno)
    return lines


def _imported(script: Path, code: str) -> bool:
    """Whether GIMP-side ``code`` imports ``script`` (``folder/name.py``) as ``folder.name`` or ``name``."""
    dotted = ".".join(script.with_suffix("").parts)
    return re.search(rf"^\s*(from|import) ({re.escape(dotted)}|{re.escape(script.stem)})\b", code, re.M) is not None


@pytest.mark.parametrize("module", HOST_MODULES, ids=lambda path: str(path.relative_to(REPO)))
def test_no_gimp_code_in_string_literals(module: Path) -> None:
    lines = gimp_code_in_strings(module)
    assert not lines, f"{module.name}: GIMP-side code in strings at lines {lines}: move it under tests/gimp/inside/"


def test_the_check_finds_code_in_a_string(tmp_path: Path) -> None:
    sample = tmp_path / "test_sample.py"
    sample.write_text('RUN = """\nimage = hm_load("portrait.png")\nhm_write_report({})\n"""\n', encoding="utf-8")
    assert gimp_code_in_strings(sample) == [1]


def test_every_script_is_run_by_a_test_or_benchmark() -> None:
    """Each script in a folder under inside/ is named by some host module; each library is imported."""
    hosts = "\n".join(path.read_text(encoding="utf-8") for path in HOST_MODULES)
    scripts = [path for path in INSIDE.rglob("*.py") if path.parent != INSIDE and "__pycache__" not in path.parts]
    inside_code = "\n".join(path.read_text(encoding="utf-8") for path in INSIDE.rglob("*.py"))
    unused = [str(p.relative_to(INSIDE)) for p in scripts if str(p.relative_to(INSIDE)) not in hosts]
    unused = [name for name in unused if not _imported(Path(name), inside_code)]  # a folder's helper module
    unused += [
        path.name
        for path in INSIDE.glob("*.py")
        if path.stem != "open_image" and f"from {path.stem} import" not in inside_code
    ]
    assert not unused, f"nothing runs these GIMP-side files: {unused}"
