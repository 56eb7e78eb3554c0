"""``halloween-mask apply``: one job per portrait, a few in flight at once, one progress bar for all."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from halloween_mask import CancelToken, HalloweenMaskError, PendingTasks, Progress

from .errors import OutputError, UsageError
from .output import fetch_command, names_a_file, names_a_folder, refuse_files_in_the_way, refused_note, write_results
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
    template = _read_template(args.template) if args.template else None
    cancel = CancelToken()
    pending = None if args.offline else PendingTasks.beside_settings()
    with open_client(args.offline, deadline=args.deadline) as client, _ProgressBar(len(jobs)) as bar:

        def run(job: _Job) -> bool:
            try:
                image = _read_upload(job.source, "image", bar.note)
                result = client.apply(
                    image.data,
                    mask_style=args.style,
                    template=template,
                    aspect_ratio=args.aspect_ratio,
                    cancel=cancel,
                    on_progress=lambda p: bar.update(job.source.name, p),
                    pending=pending,
                )
                written, scaled = write_results(result.images, job.target, image.size)
                if result.resumed:
                    bar.note(
                        f"{job.source}: collected task {result.task_id}, submitted by an earlier or concurrent"
                        " run of the same request (not paid again)"
                    )
                if result.refused:
                    bar.note(f"{job.source}: {refused_note(result)}")
            except UsageError:
                raise  # the command line itself is wrong: the whole command stops
            except OutputError as error:
                hint = _offline_hint() if args.offline else _paid_hint(result.task_id, job.target)
                bar.note(f"{job.source}: {error}{hint}")
                return False
            except HalloweenMaskError as error:
                hint = _resume_hint(error.task_id, job.target) if error.kept_pending else ""
                bar.note(f"{job.source}: {error}{hint}")
                return False
            finally:
                bar.finished(job.source.name)
            bar.note(f"{job.source} -> {', '.join(map(str, written))}{scaled}")
            return True

        pool = ThreadPoolExecutor(max_workers=args.jobs, thread_name_prefix="apply")
        try:
            outcomes = list(pool.map(run, jobs))
        except KeyboardInterrupt:
            cancel.cancel()  # every wait stops at once; submitted tasks can be fetched later
            raise
        finally:
            pool.shutdown(wait=True)
    failed = [str(job.source) for job, done in zip(jobs, outcomes, strict=True) if not done]
    if len(jobs) > 1:
        say(f"{len(jobs) - len(failed)} written, {len(failed)} failed" + (f": {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0


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
    """The file's bytes, fitted to the service's limits (with a notice) when needed, and its size."""
    from .fitting import fit_for_upload  # Pillow: the command line only

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    fitted = fit_for_upload(data)
    if fitted.notice:
        (notice or say)(f"{path} ({role}): {fitted.notice}")
    return fitted


def _resume_hint(task_id: str, target: Path) -> str:
    """For a task kept in the pending store: how it will be collected without paying again."""
    return (
        "\n  The task is kept: within 24 h, run the same command again to collect it without paying"
        f" again, or: {fetch_command(task_id, target)}"
    )


def _offline_hint() -> str:
    """Offline, the emulator's tasks end with the command: nothing to fetch, nothing paid."""
    return "\n  Nothing was paid (offline): fix that, or choose another -o, and run the command again."


def _paid_hint(task_id: str, target: Path) -> str:
    """For a finished, paid task whose result could not be saved (running the command again would pay again)."""
    return f"\n  The result is paid for: fix that, then within 24 h save it with: {fetch_command(task_id, target)}"


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
