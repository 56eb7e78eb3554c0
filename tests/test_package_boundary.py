"""What goes into GIMP is the whole ``halloween_mask`` package, and it needs nothing but Python and requests.

The package and every one of its modules are imported in a fresh Python in which Pillow, numpy,
OpenCV, Werkzeug, tqdm and this project's command line and emulator cannot be imported (GIMP's
Python has none of them); besides requests and what requests itself loads, only the standard
library may come in.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[1] / "shared"
BLOCKED = ("PIL", "numpy", "cv2", "werkzeug", "tqdm", "halloween_mask_cli", "halloween_mask_emulator")

PROBE = """
import importlib, importlib.abc, json, pkgutil, sys, threading

BLOCKED = set(sys.argv[1].split(","))

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is not available in GIMP's Python")
        return None

sys.meta_path.insert(0, Block())
import requests  # what requests loads for itself is allowed
before = {name.split(".")[0] for name in sys.modules}

import halloween_mask
modules = ["halloween_mask"]
for info in pkgutil.walk_packages(halloween_mask.__path__, "halloween_mask."):
    importlib.import_module(info.name)
    modules.append(info.name)
missing = [name for name in halloween_mask.__all__ if not hasattr(halloween_mask, name)]
loaded = {name.split(".")[0] for name in sys.modules} - before - {"halloween_mask"}
print(json.dumps({
    "modules": modules,
    "missing": missing,
    "outside_stdlib": sorted(loaded - set(sys.stdlib_module_names)),
    "threads": threading.active_count(),
}))
"""


def _probe(shared: Path, home: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Import ``halloween_mask`` from ``shared`` and all its modules with the heavy packages blocked."""
    env = {**os.environ, "PYTHONPATH": str(shared), "PYTHONDONTWRITEBYTECODE": "1"}
    if home is not None:  # every per-user folder the client knows of, inside ``home``
        env.update({"HOME": str(home), "USERPROFILE": str(home), "APPDATA": str(home), "LOCALAPPDATA": str(home)})
        env.update({name: str(home / name) for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME")})
        env.update({"TMPDIR": str(home / "tmp"), "HALLOWEEN_MASK_SETTINGS": str(home / "settings.json")})
    return subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(BLOCKED)], capture_output=True, text=True, env=env, timeout=120
    )


def test_the_client_package_imports_with_only_the_standard_library_and_requests(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    done = _probe(SHARED, home)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    shipped = {p.stem for p in (SHARED / "halloween_mask").glob("*.py")}
    assert {name.rsplit(".", 1)[-1] for name in report["modules"][1:]} == shipped - {"__init__"}
    assert {"halloween_mask.client", "halloween_mask.transport", "halloween_mask.variants"} <= set(report["modules"])
    assert report["missing"] == []  # every name in __all__ is there
    assert report["outside_stdlib"] == []
    assert report["threads"] == 1  # importing starts nothing ...
    assert list(home.iterdir()) == []  # ... and writes nothing: no settings, cache or scratch files


def test_a_module_that_imports_pillow_fails_the_check(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shutil.copytree(SHARED / "halloween_mask", shared / "halloween_mask", ignore=shutil.ignore_patterns("__pycache__"))
    (shared / "halloween_mask" / "thumbnails.py").write_text("from PIL import Image\n", encoding="utf-8")
    done = _probe(shared)
    assert done.returncode != 0
    assert "PIL is not available in GIMP's Python" in done.stderr and "thumbnails.py" in done.stderr


def test_a_module_that_imports_another_library_fails_the_check(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shutil.copytree(SHARED / "halloween_mask", shared / "halloween_mask", ignore=shutil.ignore_patterns("__pycache__"))
    (shared / "halloween_mask" / "speedups.py").write_text("import pytest\n", encoding="utf-8")
    done = _probe(shared)
    assert done.returncode == 0, done.stderr
    assert "pytest" in json.loads(done.stdout)["outside_stdlib"]
