"""``halloween-mask apply``: one job per portrait, a few in flight at once, one progress bar for all."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from halloween_mask import CancelToken, ErrorKind, HalloweenMaskError, Progress, Result, tempfiles
from halloween_mask.history_entry import local_time_text
from halloween_mask.ledger import Ledger

from . import runlog
from .errors import InputError, OutputError, UsageError
from .output import (
    fetch_command,
    names_a_file,
    names_a_folder,
    refuse_files_in_the_way,
    refuse_overwriting_inputs,
    refused_note,
    write_results,
)
from .session import open_client, say

if TYPE_CHECKING:
    from .fitting import Fitted  # Pillow: imported only when a file is read

DEFAULT_JOBS = 3  # the vendor suggests starting with low concurrency


@dataclass(frozen=True)
class _Job:
    source: Path
    target: Path


def run_apply(args: argparse.Namespace) -> int:
    jobs = plan(args.inputs, args.output, "template" if args.template else f"mask{args.style}")
    refuse_overwriting_inputs([job.target for job in jobs], [*args.inputs, *([args.template] if args.template else [])])
    template = _read_template(args.template) if args.template else None
    for folder in {job.target.parent for job in jobs}:
        tempfiles.sweep(folder)  # what a killed run left half-written
    cancel = CancelToken()
    out_of_credits = threading.Event()
    ledger = None if args.offline else Ledger.for_user()  # the offline emulator's tasks end with the command
    with open_client(args.offline, deadline=args.deadline) as client, _ProgressBar(len(jobs)) as bar:

        def run(job: _Job) -> bool | None:
            """``True`` written, ``False`` failed, ``None`` not sent (the account ran out of credits)."""
            if out_of_credits.is_set():
                bar.finished(job.source.name)
                return None
            result = None
            try:
                image = _read_upload(job.source, "image", bar.note)
                if out_of_credits.is_set():  # it ran out while this photo was read: it is not sent either
                    return None
                result = client.apply(
                    image.data,
                    mask_style=args.style,
                    template=template,
                    aspect_ratio=args.aspect_ratio,
                    cancel=cancel,
                    on_progress=lambda p: bar.update(job.source.name, p),
                    ledger=ledger,
                    reuse=not args.fresh,
                    source=job.source.name,
                )
                written, scaled = write_results(image.give_back(result.images), job.target, image.size)
                if ledger is not None:
                    ledger.settle(result)  # written: the task leaves the ledger (it stays in the history)
                if result.free:
                    bar.note(f"{job.source}: {free_note(result)}")
                if result.refused:
                    bar.note(f"{job.source}: {refused_note(result)}")
            except UsageError:
                raise  # the command line itself is wrong: the whole command stops
            except OutputError as error:
                bar.note(f"{job.source}: {error}{_output_hint(args.offline, result, job.target)}")
                return False
            except HalloweenMaskError as error:
                if error.kind is ErrorKind.CREDITS:
                    out_of_credits.set()  # the photos not yet sent are not sent: each would be refused so
                hint = f"\n  Or: {fetch_command(error.task_id, job.target)}" if error.kept_pending else ""
                bar.note(f"{job.source}: {error}{hint}")
                return False
            finally:
                bar.finished(job.source.name)
            bar.note(f"{job.source} -> {', '.join(map(str, written))}{scaled}")
            return True

        pool = ThreadPoolExecutor(max_workers=args.jobs, thread_name_prefix="apply")
        with _stopped_by_signals():
            try:
                outcomes = list(pool.map(run, jobs))
            except KeyboardInterrupt:
                cancel.cancel()  # every wait stops at once; a submit on the wire is remembered, a write finishes
                pool.shutdown(wait=True, cancel_futures=True)
                raise
            finally:
                pool.shutdown(wait=True)
    failed = [str(job.source) for job, done in zip(jobs, outcomes, strict=True) if done is False]
    unsent = outcomes.count(None)
    if len(jobs) > 1:
        written = outcomes.count(True)
        say(f"{written} written, {len(failed)} failed" + (f": {', '.join(failed)}" if failed else ""))
    if unsent:
        say(f"{unsent} not sent: the account is out of credits (top up, then run the same command again)")
    return 1 if failed or unsent else 0


def free_note(result: Result) -> str:
    """What a free run did: re-used a kept mask, or collected a task paid earlier."""
    when = _when(result.created)
    if result.reused:
        return f"reused the mask made on {when} (entry {result.entry_id}), free; --fresh makes a new one"
    return f"collected task {result.task_id}, paid on {when}: collected, no charge"


def _when(timestamp: float | None) -> str:
    if timestamp is None:
        return "an earlier run"
    return local_time_text(timestamp)


@contextlib.contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """SIGTERM and SIGHUP stop the command as Ctrl+C does: waits end, a write in progress finishes,
    a paid task stays in the ledger; later ones are ignored while it stops (main thread only)."""
    if threading.current_thread() is not threading.main_thread() or os.name != "posix":
        yield
        return

    stopping = []

    def interrupt(signum: int, frame: object) -> None:
        for number in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(number, signal.SIG_IGN)  # until the command has stopped cleanly
        stopping.append(signum)
        raise KeyboardInterrupt

    previous = {number: signal.signal(number, interrupt) for number in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        if not stopping:
            for number, handler in previous.items():
                signal.signal(number, handler)


def plan(inputs: Sequence[Path], output: str, tag: str) -> list[_Job]:
    """One job per input: ``-o`` is the file for a single input, else a folder for all of them."""
    missing = [str(p) for p in inputs if not os.path.isfile(p)]  # os.path: False on any OSError
    if missing:
        raise UsageError(f"no such file: {', '.join(missing)}")
    target = Path(output)
    if names_a_file(output):
        if len(inputs) > 1:
            raise UsageError("with several inputs, -o must be a folder")
        refuse_files_in_the_way(target.parents, target)
        return [_Job(inputs[0], target)]
    if len(inputs) == 1 and not names_a_folder(output):
        raise UsageError(
            f"-o {output}: name the output file .png, .jpg/.jpeg or .webp, or give a folder"
            " (an existing one, or a name ending in /)"
        )
    refuse_files_in_the_way([target, *target.parents], target)
    stems = [p.stem for p in inputs]
    clashes = {s for s in stems if stems.count(s) > 1}
    if clashes:
        raise UsageError(f"several inputs are named {', '.join(sorted(clashes))}; rename them")
    return [_Job(p, target / f"{p.stem}.{tag}.png") for p in inputs]


def _read_template(path: Path) -> bytes:
    """The template's bytes, fitted like an image; its problems name it (they are not the portrait's)."""
    try:
        return _read_upload(path, "template").data
    except UsageError:
        raise
    except HalloweenMaskError as error:
        raise UsageError(f"the template {path}: {error}") from None


def _read_upload(path: Path, role: str, notice: Callable[[str], None] | None = None) -> Fitted:
    """The file's bytes, fitted to the service's limits (with a notice) when needed, and its size.

    Refused by its size before it is read; a file that cannot be read fails its own job only.
    """
    from .fitting import read_for_upload  # Pillow: the command line only

    try:
        fitted = read_for_upload(path)
    except OSError as exc:
        raise InputError(f"cannot read it ({exc.strerror or type(exc).__name__})") from None
    if fitted.notice:
        (notice or say)(f"{path} ({role}): {fitted.notice}")
    return fitted


def _output_hint(offline: bool, result: Result | None, target: Path) -> str:
    """After a result could not be saved: how to get it without paying again."""
    if offline:  # the emulator's tasks end with the command: nothing to fetch, nothing paid
        return "\n  Nothing was paid (offline): fix that, or choose another -o, and run the command again."
    if result is None:
        return ""
    if result.entry_id is not None:
        return (
            "\n  The result is paid for and kept: fix that and run the same command again (free), or save it"
            f" with: halloween-mask history save {result.entry_id} -o {target}"
        )
    return (
        "\n  The result is paid for: fix that and run the same command again within 24 h (free), or save it"
        f" with: {fetch_command(result.task_id, target)}"
    )


class _ProgressBar:
    """One bar for the whole run: images done, and the latest task state and elapsed time."""

    def __init__(self, total: int) -> None:
        from tqdm import tqdm

        self._bar = tqdm(total=total, unit="image", desc="Halloween masks", disable=None, file=sys.stderr)
        self._lock = threading.Lock()

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._bar.close()

    def update(self, name: str, progress: Progress) -> None:
        with self._lock:
            self._bar.set_postfix_str(f"{name}: {progress.state.name.lower()}, {progress.elapsed:.0f} s")

    def finished(self, name: str) -> None:
        with self._lock:
            self._bar.update(1)

    def note(self, text: str) -> None:
        with self._lock:
            self._bar.write(text, file=sys.stderr)
        runlog.said(text)
