"""Client benchmark, run on demand: ``python benchmarks/bench_client.py [--runs N] [--tasks N]``.

1. Overhead: against the emulator on loopback with zero processing time, the client's time from
   submit to result bytes in memory (``submit`` + ``wait`` + ``download``) as a ratio to a bare
   ``requests`` script doing the same POST, one immediate poll and the GET. Runs are interleaved
   and medians compared, for a 1 MP and a 12 MP photo (noise + gradient with a portrait pasted in,
   so the emulator finds a face; 4000x3000 is within the 4095 px limit, no fitting needed).
2. Polling: tasks that become ready at uniformly random times between 2 s and 60 s. Both the
   client's schedule (``PollSchedule``, the very times ``Client.wait`` sleeps to, counted from the
   start of the wait) and a fixed 5 s poller are evaluated on the same tasks with a simulated clock,
   so hours of waiting take a second: median delay from readiness to detection, and poll counts.
"""

from __future__ import annotations

import argparse
import io
import random
import statistics
import sys
import time
from pathlib import Path

# The test suite's support modules (the emulator fixtures, the GIMP harness) serve the benchmarks too.
sys.path.extend(str(Path(__file__).resolve().parents[1] / folder) for folder in ("tests/gimp", "tests"))

import numpy as np
import requests
from halloween_mask.client import POLL_PATH, SUBMIT_PATH, Client
from halloween_mask.polling import PollSchedule
from halloween_mask_emulator import Emulator, EmulatorConfig
from PIL import Image
from polling_support import fixed_interval, polls_until

KEY = "bench-key"
PORTRAIT = Path(__file__).resolve().parent / "data" / "portrait-astronaut.png"


def photo(width: int, height: int) -> bytes:
    """A JPEG photo stand-in: gradient and noise, with the test portrait pasted in the middle."""
    rng = np.random.default_rng(0)
    x = np.linspace(0, 1, width, dtype=np.float32)[None, :, None]
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    base = 255 * (0.3 + 0.4 * x * np.array([1.0, 0.6, 0.3]) + 0.3 * y * np.array([0.2, 0.5, 1.0]))
    pixels = np.clip(base + rng.normal(0, 18, (height, width, 3)), 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels, "RGB")
    portrait = Image.open(PORTRAIT).convert("RGB")
    side = min(width, height) * 2 // 3
    portrait = portrait.resize((side, side), Image.Resampling.LANCZOS)
    image.paste(portrait, ((width - side) // 2, (height - side) // 2))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


def bare(session: requests.Session, base: str, data: bytes) -> bytes:
    """The minimum by hand: POST, one immediate poll, GET the first result."""
    headers = {"ailabapi-api-key": KEY}
    files = {"image": ("image.jpg", data, "image/jpeg")}
    task = session.post(base + SUBMIT_PATH, headers=headers, files=files, data={"mask_style": "7"}, timeout=60)
    task_id = task.json()["task_id"]
    poll = session.get(base + POLL_PATH, headers=headers, params={"task_id": task_id}, timeout=60).json()
    assert poll["task_status"] == 2, poll
    return session.get(poll["data"]["result_urls"][0], timeout=60).content


def with_client(client: Client, data: bytes) -> bytes:
    task_id = client.submit(data, mask_style=7)
    return client.download(client.wait(task_id)[0])


def overhead(runs: int) -> None:
    with Emulator(EmulatorConfig(api_keys=(KEY,))) as emu, Client(KEY, emu.base_url) as client:
        session = requests.Session()
        for label, (w, h) in (("1 MP", (1155, 866)), ("12 MP", (4000, 3000))):
            data = photo(w, h)
            bare(session, emu.base_url, data)  # warm both connections and the renderer
            with_client(client, data)
            timings: dict[str, list[float]] = {"bare": [], "client": []}
            for _ in range(runs):
                for name, run in (
                    ("bare", lambda data=data: bare(session, emu.base_url, data)),
                    ("client", lambda data=data: with_client(client, data)),
                ):
                    started = time.perf_counter()
                    result = run()
                    timings[name].append(time.perf_counter() - started)
                    assert result[:8] == b"\x89PNG\r\n\x1a\n"
            b, c = statistics.median(timings["bare"]), statistics.median(timings["client"])
            print(
                f"  {label} ({w}x{h}, {len(data) / 1e6:.1f} MB JPEG): bare {b:.3f} s, client {c:.3f} s, "
                f"ratio {c / b:.3f}x (target <= 1.1x; medians of {runs} interleaved runs)"
            )
        session.close()


def polling(tasks: int) -> None:
    rng = random.Random(2024)
    ready = [rng.uniform(2.0, 60.0) for _ in range(tasks)]
    ours = [polls_until(PollSchedule().times(), r) for r in ready]
    fixed = [polls_until(fixed_interval(5.0), r) for r in ready]
    delay, fixed_delay = statistics.median(d for _, d in ours), statistics.median(d for _, d in fixed)
    polls, fixed_polls = sum(n for n, _ in ours), sum(n for n, _ in fixed)
    print(f"  {tasks} tasks ready uniformly in 2-60 s, simulated clock, same tasks for both pollers:")
    print(
        f"  median readiness-to-detection delay: {delay:.2f} s (target <= 2.0 s); fixed 5 s poller {fixed_delay:.2f} s"
    )
    print(f"    ratio to the fixed poller: {delay / fixed_delay:.2f}x")
    print(
        f"  polls: {polls / tasks:.2f} per task vs {fixed_polls / tasks:.2f}; "
        f"ratio {polls / fixed_polls:.2f}x (target <= 1.5x)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="interleaved runs per photo size")
    parser.add_argument("--tasks", type=int, default=10_000, help="simulated tasks for the polling figures")
    args = parser.parse_args(argv)
    print("1. Submit-to-bytes overhead vs a bare requests script (emulator, zero processing time)")
    overhead(args.runs)
    print("2. Poll schedule vs a fixed 5-second poller")
    polling(args.tasks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
