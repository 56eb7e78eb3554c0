"""Hardening figures, run on demand: ``python benchmarks/bench_hardening.py [deadline|charges|memory ...]``.

Every figure comes from the real ``halloween-mask`` command in a child process (``/usr/bin/time``
gives its wall time and peak memory), against servers on 127.0.0.1 in this process:

1. deadline: ``apply --deadline 10`` while the submit, the poll or the download answer arrives
   one byte every 0.2 s (status line and headers included).
2. charges: submits the service saw when a run is followed by the same run again, after one
   malformed poll answer, and after 502 pages that outlast the poll retries; and when two
   identical ``apply`` commands start at once (5 trials).
3. memory: peak resident memory for a 200 MB poll answer, a poll answer with 1,500 result URLs
   (a 440 KB PNG each), and a 68 KB JPEG whose header claims 12000x12000 px.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# The test suite's support modules (the emulator fixtures, the GIMP harness) serve the benchmarks too.
sys.path.extend(str(Path(__file__).resolve().parents[1] / folder) for folder in ("tests/gimp", "tests"))

import numpy as np
from client_support import POLL, SUBMIT, drip_server, envelope, fake_service
from forged_support import forged_jpeg
from halloween_mask_emulator import Emulator, EmulatorConfig, Fault
from PIL import Image

PORTRAIT = Path(__file__).resolve().parent / "data" / "portrait-astronaut.png"
KEY = "bench-key"
CLI = (sys.executable, "-m", "halloween_mask_cli")
CHILD_LIMIT = 120.0  # seconds; a child still running then is killed and reported as such


def run_cli(args: list[str], base: str, settings: Path, limit: float = CHILD_LIMIT) -> dict:
    """One ``halloween-mask`` command: exit status, wall seconds, peak RSS in MB."""
    env = {**os.environ, "AILAB_API_BASE": base, "AILAB_API_KEY": KEY, "HALLOWEEN_MASK_SETTINGS": str(settings)}
    settings.parent.mkdir(parents=True, exist_ok=True)
    stats = settings.parent / f"time-{time.monotonic_ns()}.txt"
    command = ["/usr/bin/time", "-f", "%e %M", "-o", str(stats), *CLI, *args]
    start = time.monotonic()
    child = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        _, err = child.communicate(timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)  # the command under /usr/bin/time too
        child.communicate()
        return {"status": "killed", "seconds": round(time.monotonic() - start, 1), "peak_mb": None, "said": ""}
    seconds, kb = stats.read_text().split()[-2:]
    said = (err.strip().splitlines() or [""])[-1][:240]
    return {
        "status": child.returncode,
        "seconds": float(seconds),
        "peak_mb": round(int(kb) / 1024),
        "said": said,
    }


def noise_png(width: int, height: int) -> bytes:
    pixels = np.random.default_rng(0).integers(0, 256, (height, width, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels, "RGB").save(out, "PNG", compress_level=1)
    return out.getvalue()


def deadline(work: Path) -> dict:
    figures = {}
    result = PORTRAIT.read_bytes()
    for slow in ("submit", "poll", "download"):
        with drip_server() as server:
            path = {"submit": SUBMIT, "poll": POLL, "download": "/r.png"}[slow]
            fake_service(server, result, slow=path, per_byte=0.2)
            out = work / f"deadline-{slow}.png"
            argv = ["apply", str(PORTRAIT), "--style", "7", "-o", str(out), "--deadline", "10"]
            figures[slow] = run_cli(argv, server.base, work / f"s-{slow}" / "settings.json")
    return figures


def charges(work: Path) -> dict:
    figures = {}
    config = EmulatorConfig(api_keys={KEY}, processing_seconds=0.5)
    cases = {
        "one malformed poll answer": (Fault("malformed_json", route="poll"),),
        "502 pages outlasting the poll retries": (Fault("html", route="poll", count=5),),
    }
    for name, faults in cases.items():
        with Emulator(config) as emulator:
            emulator.configure(faults=faults)
            settings = work / name.replace(" ", "-") / "settings.json"
            argv = ["apply", str(PORTRAIT), "--style", "7", "-o", str(settings.parent / "out.png")]
            runs = [run_cli(argv, emulator.base_url, settings), run_cli(argv, emulator.base_url, settings)]
            figures[name] = {"submits": len(emulator.requests_to("submit")), "runs": runs}
    submits = []
    with Emulator(config) as emulator:
        for trial in range(5):
            emulator.reset()
            settings = work / f"together-{trial}" / "settings.json"
            settings.parent.mkdir(parents=True)
            env = {**os.environ, "AILAB_API_BASE": emulator.base_url, "AILAB_API_KEY": KEY}
            env["HALLOWEEN_MASK_SETTINGS"] = str(settings)
            children = [
                subprocess.Popen(
                    [*CLI, "apply", str(PORTRAIT), "--style", "7", "-o", str(settings.parent / f"out-{n}.png")],
                    env=env,
                    stderr=subprocess.DEVNULL,
                )
                for n in range(2)
            ]
            for child in children:
                child.wait(CHILD_LIMIT)
            submits.append(len(emulator.requests_to("submit")))
    figures["two identical runs at once"] = {"submits per trial": submits}
    return figures


def memory(work: Path) -> dict:
    figures = {}
    argv = ["apply", str(PORTRAIT), "--style", "7", "--deadline", "20", "-o"]
    with drip_server() as server:
        fake_service(server, PORTRAIT.read_bytes())
        padding = "x" * 200_000_000
        body = json.dumps(envelope(task_status=1, padding=padding)).encode()
        del padding
        server.routes[POLL] = (200, "application/json", body, 0.0)
        figures["200 MB poll answer"] = run_cli([*argv, str(work / "big.png")], server.base, work / "m1" / "s.json")
        del body
    with drip_server() as server:
        image = noise_png(400, 370)
        fake_service(server, image)
        urls = [f"{server.base}/r.png?n={n}" for n in range(1500)]
        body = json.dumps(envelope(task_status=2, data={"result_urls": urls})).encode()
        server.routes[POLL] = (200, "application/json", body, 0.0)
        out = work / "many" / "out.png"
        out.parent.mkdir()
        figures[f"1,500 result URLs ({len(image) // 1000} KB each)"] = run_cli(
            [*argv, str(out)], server.base, work / "m2" / "s.json"
        ) | {"files written": len(list(out.parent.iterdir()))}
    with drip_server() as server:
        fake_service(server, PORTRAIT.read_bytes())
        forged = work / "forged.jpg"
        forged.write_bytes(forged_jpeg())
        figures[f"{forged.stat().st_size // 1000} KB JPEG claiming 12000x12000"] = run_cli(
            ["apply", str(forged), "--style", "7", "-o", str(work / "forged-out.png")],
            server.base,
            work / "m3" / "s.json",
        )
    return figures


def main(which: list[str]) -> None:
    benches = {"deadline": deadline, "charges": charges, "memory": memory}
    with tempfile.TemporaryDirectory(prefix="bench-hardening-") as folder:
        for name in which or list(benches):
            work = Path(folder) / name
            work.mkdir()
            print(json.dumps({name: benches[name](work)}, indent=1), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
