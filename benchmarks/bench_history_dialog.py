"""History dialog benchmark, run on demand: ``python3 benchmarks/bench_history_dialog.py [--runs N] [--entries N]``.

Filters ▸ AI ▸ Halloween Mask History… with 1,000 kept results against the plain filter dialog
(``HALLOWEEN_MASK_DIALOG=plain``, GIMP's generated dialog), both opened in the same GIMP session
(full GIMP under Xvfb in its root, the plug-in installed by the real installer; needs root). The
history is filled beforehand from the host (the shared ``History``): 1,000 JPEG results of
512x512 (the test portrait, tinted per entry), from two images. The batch code opens a dialog per
"go-<n>" flag through the PDB (``RUN_INTERACTIVE``); the host presses Escape once it is drawn and,
for the history, once every thumbnail is in. Openings alternate:

* plain: the filter's generated dialog (the baseline);
* cold: the history with no thumbnail stored (the host empties the table first): all 1,000 made
  from the kept images with GdkPixbuf, as on the first opening after they were kept;
* warm: the history with every thumbnail stored (read in one query).

Times are from the batch code's call to the dialog's first frame and to the last thumbnail, on
the shared monotonic clock (``HALLOWEEN_MASK_TIMINGS``). Target: shown (warm and cold) <= 1.5x plain.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import sqlite3
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.extend(str(Path(__file__).resolve().parents[1] / folder) for folder in ("tests/gimp", "tests"))

from gimp_runner import (
    SCRATCH_INSIDE,
    GimpRoot,
    GuiSession,
    Scratch,
    build_root,
    cannot_enter_root,
    install_profile,
    root_path,
    selected_series,
    start_gui,
)
from halloween_mask import History
from halloween_mask.history_entry import Made
from halloween_mask_emulator import Emulator, EmulatorConfig
from PIL import Image
from plugin_batch import PLUGIN_LIB, PORTRAIT, SECRET_KEY, plugin_env

TARGET = 1.5  # history dialog shown / plain dialog shown

SESSION = (
    PLUGIN_LIB
    + r"""
image = hm_load("portrait.png")
Gimp.Display.new(image)
Gimp.displays_flush()
asked = []
hm_write_report({"asked": asked})
for n, name in enumerate(os.environ["HM_BENCH_OPENINGS"].split(",")):
    hm_wait_flag(f"go-{n}")
    proc = Gimp.get_pdb().lookup_procedure(name)
    config = proc.create_config()
    config.set_property("run-mode", Gimp.RunMode.INTERACTIVE)
    config.set_property("image", image)
    config.set_core_object_array("drawables", image.get_layers())
    asked.append(time.monotonic())
    proc.run(config)  # until the host presses Escape
    hm_write_report({"asked": asked})
hm_wait_flag("quit")
"""
)
PROCS = {"plain": "python-fu-halloween-mask", "cold": "python-fu-halloween-mask-history"}
PROCS["warm"] = PROCS["cold"]
TITLES = {"plain": "^Halloween Mask$", "cold": "^Halloween Mask History$", "warm": "^Halloween Mask History$"}


def fill_history(folder: Path, entries: int) -> None:
    """``entries`` kept results (512x512 JPEGs, tinted so each differs) from two sources."""
    history = History(folder, max_bytes=10**10)
    base = Image.open(PORTRAIT).convert("RGB").resize((512, 512))
    for n in range(entries):
        tint = Image.new("RGB", base.size, ((n * 37) % 256, (n * 91) % 256, (n * 53) % 256))
        out = io.BytesIO()
        Image.blend(base, tint, 0.25).save(out, "JPEG", quality=85)
        source = "portrait.png / Background" if n % 2 else f"other.png / Layer {n % 7}"
        made = Made(style=1 + n % 85, source=source)
        if history.keep(f"bench-{n}", f"task-{n}", [out.getvalue()], made) is None:
            raise RuntimeError("the history could not be written")


def _events(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def session(root: GimpRoot, emu: Emulator, kinds: list[str], entries: int) -> list[dict]:
    scratch = Scratch(root, f"{SCRATCH_INSIDE}/bench-history-{uuid.uuid4().hex[:10]}")
    scratch.host.mkdir(parents=True)
    try:
        profile = install_profile(scratch)
        home = profile.dir.host / "home"
        timings, data = home / "timings.jsonl", home / "data"
        fill_history(data / "history", entries)
        env = plugin_env(
            emu.base_url,
            f"{profile.home_inside}/settings.json",
            HALLOWEEN_MASK_TIMINGS=f"{profile.home_inside}/timings.jsonl",
            HALLOWEEN_MASK_DATA=f"{profile.home_inside}/data",
            HALLOWEEN_MASK_DIALOG="plain",  # the filter's generated dialog; the history's is its own
            HM_BENCH_OPENINGS=",".join(PROCS[kind] for kind in kinds),
        )
        gui = start_gui(root, profile, scratch, SESSION, env, {"portrait.png": PORTRAIT})
        results = []
        try:
            gui.image_window(timeout=120)
            time.sleep(2)
            for n, kind in enumerate(kinds):
                if kind == "cold":
                    with sqlite3.connect(data / "history" / "history.sqlite3") as db:
                        db.execute("DELETE FROM thumbnails")
                results.append(_open(gui, timings, n, kind))
        finally:
            gui.close()
        return results
    finally:
        shutil.rmtree(scratch.host, ignore_errors=True)


def _open(gui: GuiSession, timings: Path, n: int, kind: str) -> dict:
    seen = len(_events(timings))
    wanted = "dialog-shown" if kind == "plain" else "pictures"
    gui.flag(f"go-{n}")
    gui.wait_for(lambda: any(e["event"] == wanted for e in _events(timings)[seen:]), f"opening {n}", 120, 0.05)
    events = {e["event"]: e for e in _events(timings)[seen:]}
    gui.key("Escape", wid=gui.find_window(TITLES[kind], timeout=10), delay=0.2)
    gui.wait_for(lambda: len(gui.report().get("asked", [])) > n, f"closing {n}", 30, 0.05)
    asked = gui.report()["asked"][n]
    result = {"kind": kind, "shown": events["dialog-shown"]["at"] - asked}
    if "pictures" in events:
        result["pictures"] = events["pictures"]["at"] - asked
        result["pictures_shown"] = events["pictures"]["shown"]
    return result


def bench(root: GimpRoot, runs: int, entries: int) -> bool:
    kinds = ["plain", "warm"] + ["plain", "cold", "warm"] * runs  # the first two warm GIMP up
    with Emulator(EmulatorConfig(api_keys={SECRET_KEY})) as emu:
        results = session(root, emu, kinds, entries)[2:]
    shown = {kind: [r["shown"] for r in results if r["kind"] == kind] for kind in ("plain", "cold", "warm")}
    median = {kind: statistics.median(times) for kind, times in shown.items()}
    pictures = {
        kind: statistics.median([r["pictures"] for r in results if r["kind"] == kind]) for kind in ("cold", "warm")
    }
    complete = all(r["pictures_shown"] == entries for r in results if r["kind"] != "plain")
    print(f"GIMP {root.series}, {entries} kept results, {runs} runs each (medians; procedure start -> first frame):")
    for kind in ("plain", "cold", "warm"):
        print(f"  {kind:<5} dialog shown  {median[kind]:.3f} s   ({', '.join(f'{t:.3f}' for t in shown[kind])})")
    ratios = {kind: median[kind] / median["plain"] for kind in ("cold", "warm")}
    print(f"  history / plain: warm {ratios['warm']:.2f}x, cold {ratios['cold']:.2f}x (target <= {TARGET}x)")
    print(
        f"  all {entries} thumbnails shown: warm {pictures['warm']:.3f} s, cold {pictures['cold']:.3f} s "
        f"(made from the kept images); every opening showed all: {complete}"
    )
    return max(ratios.values()) <= TARGET and complete


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed openings of each kind (after a warm-up)")
    parser.add_argument("--entries", type=int, default=1000, help="kept results in the history")
    args = parser.parse_args(argv)
    reason = cannot_enter_root()
    if reason:
        print(f"cannot run GIMP in the root: {reason}", file=sys.stderr)
        return 2
    series = selected_series() if os.environ.get("HM_GIMP_SERIES") else ["3.2"]
    met = [bench(build_root(s, root_path(s)), args.runs, args.entries) for s in series]
    return 0 if all(met) else 1


if __name__ == "__main__":
    sys.exit(main())
