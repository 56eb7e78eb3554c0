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
import sqlite3
import statistics
import sys
from pathlib import Path

from gimp_bench import dialog_session, fresh_gimp, run_series, served
from gimp_runner import GimpRoot
from halloween_mask import History
from halloween_mask.history_entry import Made
from halloween_mask_emulator import Emulator
from PIL import Image
from plugin_batch import PORTRAIT

TARGET = 1.5  # history dialog shown / plain dialog shown
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


def session(root: GimpRoot, emu: Emulator, kinds: list[str], entries: int) -> list[dict]:
    """One GIMP session opening the plain filter dialog or the history's per entry of ``kinds``."""
    with fresh_gimp(root, "bench-history") as gimp:
        data = gimp.home / "data"
        fill_history(data / "history", entries)
        env = gimp.env(
            emu,
            timings=True,
            HALLOWEEN_MASK_DATA=f"{gimp.profile.home_inside}/data",
            HALLOWEEN_MASK_DIALOG="plain",  # the filter's generated dialog; the history's is its own
        )

        def forget_thumbnails(kind: str) -> None:
            if kind == "cold":
                with sqlite3.connect(data / "history" / "history.sqlite3") as db:
                    db.execute("DELETE FROM thumbnails")

        openings = [(kind, PROCS[kind], TITLES[kind]) for kind in kinds]
        return dialog_session(gimp, env, openings, forget_thumbnails)


def bench(root: GimpRoot, runs: int, entries: int) -> bool:
    kinds = ["plain", "warm"] + ["plain", "cold", "warm"] * runs  # the first two warm GIMP up
    with Emulator(served()) as emu:
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
    return run_series(lambda root: bench(root, args.runs, args.entries), default=["3.2"])


if __name__ == "__main__":
    sys.exit(main())
