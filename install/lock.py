#!/usr/bin/env python3
"""Move every pin forward: the plug-in's bundled libraries and the development environment.

    python3 install/lock.py            rewrite install/bundle.lock and constraints.txt
    python3 install/lock.py --bundle   only install/bundle.lock
    python3 install/lock.py --dev      only constraints.txt

The bundle lock takes the newest pure-Python wheels of requests and what it needs; the
constraints pin every package that ``pip install -e ".[test]"`` installs into a fresh venv.
Run the tests afterwards, and commit both files with what changed in VERSIONS.txt.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hm_installer.wheels import LOCK_FILE, PURE_TAG, pip_download, sha256_of

REPO = Path(__file__).resolve().parent.parent
CONSTRAINTS = REPO / "constraints.txt"
# Distribution -> import name of what the plug-in bundles: requests and its dependencies.
BUNDLED = {
    "requests": "requests",
    "urllib3": "urllib3",
    "idna": "idna",
    "certifi": "certifi",
    "charset-normalizer": "charset_normalizer",
}
BUNDLE_HEADER = """\
# The libraries bundled into the plug-in: one pure-Python wheel each (py3-none-any), exact
# version and SHA-256. The installer fetches them once with pip and checks them; it never copies
# what the building Python has installed. Update: python3 install/lock.py --bundle
"""
DEV_HEADER = """\
# Every package of the development and test environment, pinned, so that a new upstream release
# cannot change what CI runs. Used by .ci/run and CONTRIBUTING.md's set-up:
#   python3 -m pip install -c constraints.txt -e ".[test]"
# Update: python3 install/lock.py --dev (then run the tests)
"""


def lock_bundle() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        pip_download(["requests"], Path(tmp), hashes=False)  # the newest requests and what it needs
        lines = [BUNDLE_HEADER]
        for wheel in sorted(Path(tmp).iterdir()):
            if not wheel.name.endswith(PURE_TAG):
                sys.exit(f"{wheel.name} is not a pure-Python wheel; the bundle cannot take it")
            stem = wheel.name.split("-")[0].replace("_", "-").lower()
            if stem not in BUNDLED:
                sys.exit(f"requests now needs {stem}: add it to BUNDLED in {Path(__file__).name}")
            version = wheel.name.split("-")[1]
            lines.append(f"{stem}=={version} --hash=sha256:{sha256_of(wheel)}  # import: {BUNDLED[stem]}\n")
    LOCK_FILE.write_text("".join(lines), encoding="utf-8")
    print(f"wrote {LOCK_FILE.relative_to(REPO)}")


def lock_dev() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        venv.create(tmp, with_pip=True)
        python = str(Path(tmp) / ("Scripts" if sys.platform == "win32" else "bin") / "python")
        pip = [python, "-m", "pip", "--disable-pip-version-check"]
        subprocess.run([*pip, "install", "--quiet", "-e", f"{REPO}[test]"], check=True)
        frozen = subprocess.run([*pip, "freeze", "--exclude-editable"], check=True, capture_output=True, text=True)
    pins = sorted(line for line in frozen.stdout.splitlines() if "==" in line)
    CONSTRAINTS.write_text(DEV_HEADER + "\n".join(pins) + "\n", encoding="utf-8")
    print(f"wrote {CONSTRAINTS.relative_to(REPO)} ({len(pins)} packages)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", action="store_true", help="only the plug-in's bundled libraries")
    parser.add_argument("--dev", action="store_true", help="only the development environment")
    args = parser.parse_args()
    everything = not (args.bundle or args.dev)
    if args.bundle or everything:
        lock_bundle()
    if args.dev or everything:
        lock_dev()


if __name__ == "__main__":
    main()
