"""Issue 17 §2 figures, run on demand: ``python benchmarks/bench_hostile.py [--code SHARED_DIR]``.

Each figure comes from the real ``halloween-mask`` command in a child process (``/usr/bin/time``:
wall time and peak memory, as ``bench_hardening.py`` measures), against servers on 127.0.0.1 in
this process. ``--code`` runs the command from another copy of ``shared/`` (an older commit's, to
compare):

1. bomb: a finished task whose result is a valid 20000x20000 PNG of 1.2 MB; and one of 12000x12000.
2. huge input: ``apply`` of a 2 GB sparse non-image and a portrait, in one batch.
3. settings: ``check`` with a 1 GB sparse settings file.
4. Retry-After: polls answer "queued, Retry-After <a date 2 s later>" by a server whose clock is an
   hour ahead of this computer's (its ``Date`` header says so), then "done".
"""

from __future__ import annotations

import email.utils
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.extend(str(Path(__file__).resolve().parents[1] / folder) for folder in ("tests",))

from bench_hardening import KEY, run_cli
from client_support import POLL, envelope
from test_hostile_answers import _json, finished_task, png, service

PORTRAIT = Path(__file__).resolve().parents[1] / "tests" / "data" / "portrait-astronaut.png"
GB = 2**30


def _sparse(path: Path, size: int, start: bytes = b"") -> Path:
    with open(path, "wb") as handle:
        handle.write(start)
        handle.truncate(size)
    return path


def bomb(work: Path, side: int) -> dict:
    with service() as (base, routes, _seen):
        finished_task(routes, [base + "/r.png"])
        routes["/r.png"] = [(200, {"Content-Type": "image/png"}, png(side, side))]
        return run_cli(
            ["apply", str(PORTRAIT), "--style", "7", "-o", str(work / f"bomb{side}.png")],
            base,
            work / "s" / "settings.json",
        )


def huge_input(work: Path) -> dict:
    huge = _sparse(work / "huge.png", 2 * GB)
    good = work / "good.png"
    shutil.copyfile(PORTRAIT, good)
    with service() as (base, routes, _seen):
        finished_task(routes, [base + "/r.png"])
        routes["/r.png"] = [(200, {"Content-Type": "image/png"}, png(64, 64))]
        return run_cli(
            ["apply", str(huge), str(good), "--style", "7", "-o", f"{work / 'out'}/"],
            base,
            work / "h" / "settings.json",
        )


def settings(work: Path) -> dict:
    path = work / "big" / "settings.json"
    path.parent.mkdir()
    _sparse(path, GB, b"{")
    os.chmod(path, 0o600)
    with service() as (base, _routes, _seen):
        return run_cli(["check"], base, path)


def retry_after(work: Path) -> dict:
    server_now = time.time() + 3600
    date = email.utils.formatdate(server_now, usegmt=True)
    then = email.utils.formatdate(server_now + 2, usegmt=True)
    with service() as (base, routes, _seen):
        finished_task(routes, [base + "/r.png"])
        for _ in range(2):
            routes[POLL].insert(0, _json(envelope(task_status=1), **{"Retry-After": then, "Date": date}))
        routes["/r.png"] = [(200, {"Content-Type": "image/png"}, png(64, 64))]
        return run_cli(
            ["apply", str(PORTRAIT), "--style", "7", "-o", str(work / "ra.png")],
            base,
            work / "r" / "settings.json",
            limit=700,
        )


def main() -> None:
    if "--code" in sys.argv:
        os.environ["PYTHONPATH"] = str(Path(sys.argv[sys.argv.index("--code") + 1]).resolve())
    os.environ["AILAB_API_KEY"] = KEY
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp:
        work = Path(tmp)
        figures = {
            "bomb 20000x20000 (1.2 MB PNG)": bomb(work, 20000),
            "result 12000x12000": bomb(work, 12000),
            "2 GB sparse non-image in a batch": huge_input(work),
            "1 GB sparse settings file (check)": settings(work),
            "Retry-After date, server clock +1 h": retry_after(work),
        }
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
