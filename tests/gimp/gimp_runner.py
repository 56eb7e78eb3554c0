"""Run a real GIMP 3 inside a Debian root: headless batch runs and GUI sessions under Xvfb.

One root per GIMP series (``SERIES``: 3.0 from Debian 13, 3.2 from sid) is built by
``install/gimp3-root/build.sh`` and entered only through ``install/gimp3-root/run.sh``
(private mount + PID namespace, chroot), so nothing outlives a run. Files move through a
scratch folder that the host sees as ``<root><inside>``.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from zip_support import extract

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / "install" / "gimp3-root"
INSTALLER = REPO / "install" / "install.py"
RELEASE_ARTIFACTS = REPO / "artifacts" / "release"
ARTIFACTS = REPO / "artifacts" / "gimp-e2e"
SCRATCH_INSIDE = "/tmp/halloween-mask-tests"
INSIDE = Path(__file__).resolve().parent / "inside"  # the code that runs inside GIMP (see inside/hm.py)
SERIES = ("3.0", "3.2")  # every GIMP test runs on each; HM_GIMP_SERIES=3.2 limits a run to one


class RootUnavailable(Exception):
    """The machine cannot build or enter the GIMP root; str() says why."""


class GimpRunError(AssertionError):
    """GIMP failed or the batch code raised; the message carries the GIMP log."""


def sweep_stale_scratch(root: GimpRoot, max_age: float = 6 * 3600) -> None:
    """Remove scratch folders that earlier, killed test sessions left in the root."""
    base = root.host(SCRATCH_INSIDE)
    if not base.is_dir():
        return
    now = time.time()
    for entry in base.iterdir():
        try:
            if entry.is_dir() and now - entry.stat().st_mtime > max_age:
                shutil.rmtree(entry, ignore_errors=True)
        except OSError:
            pass


def selected_series() -> list[str]:
    """The GIMP series to test: ``HM_GIMP_SERIES`` (comma-separated, e.g. ``3.2``), default all."""
    wanted = [s.strip() for s in os.environ.get("HM_GIMP_SERIES", ",".join(SERIES)).split(",") if s.strip()]
    unknown = sorted(set(wanted) - set(SERIES))
    if unknown or not wanted:
        raise ValueError(f"HM_GIMP_SERIES={os.environ.get('HM_GIMP_SERIES')!r}: choose from {', '.join(SERIES)}")
    return wanted


def root_path(series: str) -> Path:
    """Where the root of ``series`` lives: ``GIMP3_ROOT_3_0``/``GIMP3_ROOT_3_2``, else build.sh's default."""
    default = f"/var/tmp/halloween-mask-gimp-{series}-root"
    return Path(os.environ.get(f"GIMP3_ROOT_{series.replace('.', '_')}", default))


def cannot_enter_root() -> str | None:
    """Why this machine cannot build or enter the root, or None."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "needs root (debootstrap, chroot and unshare need CAP_SYS_ADMIN)"
    for tool in ("unshare", "chroot", "mount"):
        if shutil.which(tool) is None:
            return f"{tool} is not available"
    probe = subprocess.run(["unshare", "--mount", "--pid", "--fork", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"unshare --mount --pid does not work here: {probe.stderr.strip()}"
    return None


def mirror_reachable(timeout: float = 10.0) -> bool:
    """Whether the Debian mirror the build uses answers (only asked after a failed build)."""
    mirror = os.environ.get("DEBIAN_MIRROR", "http://deb.debian.org/debian")
    try:
        with urllib.request.urlopen(f"{mirror.rstrip('/')}/dists/trixie/Release", timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def build_root(series: str, root: Path, progress: Callable[[str], None] = print, timeout: float = 1800.0) -> GimpRoot:
    """Run the idempotent build script for ``series``; raises RootUnavailable with its log.

    Each line the script logs while it builds goes to ``progress`` as it comes (a first build
    takes a minute or more); "up to date" is not reported.
    """
    proc = subprocess.Popen(
        ["bash", str(SCRIPTS / "build.sh")],
        env={**os.environ, "GIMP_SERIES": series, "GIMP3_ROOT": str(root)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    watchdog = threading.Timer(timeout, proc.kill)
    watchdog.start()
    lines = []
    try:
        for line in proc.stdout or ():
            lines.append(line)
            if "up to date" not in line:
                progress(line.rstrip())
    finally:
        watchdog.cancel()
    if proc.wait() != 0:
        raise RootUnavailable(f"build.sh for GIMP {series} failed (exit {proc.returncode}):\n{''.join(lines)}")
    return GimpRoot(root, series)


@dataclass(frozen=True)
class GimpRoot:
    """A built root of one GIMP series and how to run commands in it."""

    path: Path
    series: str

    @property
    def console(self) -> str:
        """The headless GIMP binary of this series (3.2 has no ``gimp-console-3.0``)."""
        return f"gimp-console-{self.series}"

    @property
    def gui(self) -> str:
        return f"gimp-{self.series}"

    def host(self, inside: str) -> Path:
        """The host path of a path inside the root."""
        return self.path / inside.lstrip("/")

    def run(
        self,
        argv: Sequence[str],
        env: Mapping[str, str] | None = None,
        timeout: float | None = 300.0,
        check: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` inside the root with a clean environment plus ``env``; output captured."""
        proc = subprocess.run(
            self.command(argv),
            env=self.environment(env),
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        if check and proc.returncode != 0:
            raise GimpRunError(f"{argv[0]} exited {proc.returncode} in the root:\n{proc.stdout}{proc.stderr}")
        return proc

    def command(self, argv: Sequence[str]) -> list[str]:
        """The host command line that runs ``argv`` in the root (with :meth:`environment`)."""
        return [str(SCRIPTS / "run.sh"), *argv]

    def environment(self, env: Mapping[str, str] | None = None) -> dict[str, str]:
        """The complete environment of a command in the root: a clean base plus ``env``.

        Passed as the process environment, never on a command line, so secrets such as a
        test API key do not show in ``ps``.
        """
        return {
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME": "/root",
            "LANG": "C.UTF-8",
            "TERM": "dumb",
            **(env or {}),
            "GIMP3_ROOT": str(self.path),
            "GIMP3_RUN_KEEP_ENV": "1",
        }


@dataclass
class Scratch:
    """A scratch folder inside the root, known by its host and inside paths."""

    root: GimpRoot
    inside: str

    @property
    def host(self) -> Path:
        return self.root.host(self.inside)

    def sub(self, name: str) -> Scratch:
        scratch = Scratch(self.root, f"{self.inside}/{name}")
        scratch.host.mkdir(parents=True, exist_ok=True)
        return scratch


@dataclass
class GimpProfile:
    """An isolated GIMP profile with the plug-in installed, plus its HOME."""

    dir: Scratch
    install_log: str = ""

    @property
    def inside(self) -> str:
        return f"{self.dir.inside}/profile"

    @property
    def host(self) -> Path:
        return self.dir.host / "profile"

    @property
    def home_inside(self) -> str:
        return f"{self.dir.inside}/home"

    @property
    def plugin_dir(self) -> Path:
        return self.host / "plug-ins" / "halloween-mask"


def install_profile(
    scratch: Scratch, extra_plugins: Sequence[Path] = (), installer: bool = True, release_zip: Path | None = None
) -> GimpProfile:
    """Make a fresh profile in ``scratch`` and install the plug-in with the real installer.

    With ``release_zip``, the plug-in is installed by extracting that zip into ``plug-ins/``
    only, as a person without Python does it (the installer does not run).
    """
    profile = GimpProfile(scratch)
    profile.host.mkdir(parents=True, exist_ok=True)
    (scratch.host / "home").mkdir(exist_ok=True)
    if release_zip is not None:
        extract(release_zip, profile.host / "plug-ins")
    elif installer:
        proc = subprocess.run(
            [os.environ.get("HM_INSTALLER_PYTHON", sys.executable), str(INSTALLER), "--profile", str(profile.host)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if proc.returncode != 0:
            raise GimpRunError(f"install.py failed (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}")
        profile.install_log = proc.stdout
    for plugin in extra_plugins:
        target = profile.host / "plug-ins" / plugin.name
        shutil.copytree(plugin, target, ignore=shutil.ignore_patterns("__pycache__"))
        (target / f"{plugin.name}.py").chmod(0o755)
    return profile


@dataclass
class BatchResult:
    """What a headless GIMP run left: the report, the log, and its work folder."""

    report: dict
    log: str
    work: Path
    work_inside: str
    returncode: int
    seconds: float


_counter = itertools.count(1)


def gimp_env(profile: GimpProfile, work: Scratch, env: Mapping[str, str] | None) -> dict[str, str]:
    """GIMP's environment for a run in ``work``: the profile, its HOME, temp and data folders, plus ``env``."""
    tmp = work.sub("gimp-tmp")
    return {
        "HOME": profile.home_inside,
        "GIMP3_DIRECTORY": profile.inside,
        "GIMP3_TEMPDIR": tmp.inside,
        "HM_WORK": work.inside,
        "HM_REPORT": f"{work.inside}/report.json",
        "NO_AT_BRIDGE": "1",
        # Each run keeps its results in a history of its own (a test that wants one across runs passes it).
        "HALLOWEEN_MASK_DATA": f"{work.inside}/data",
        **(env or {}),
    }


def _stage_files(work: Scratch, files: Mapping[str, bytes | str | Path] | None) -> None:
    for name, content in (files or {}).items():
        target = work.host / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, Path):
            shutil.copyfile(content, target)
        elif isinstance(content, str):
            target.write_text(content, encoding="utf-8")
        else:
            target.write_bytes(content)


def _stage_script(work: Scratch, script: str | Path, params: Mapping[str, object] | None) -> None:
    """Copy the inside/ folder into ``work`` and write batch.py, which runs ``script`` from it.

    ``script`` names a file under tests/gimp/inside (``"plugin_e2e/portrait.py"``); it runs as
    ``__main__`` with inside/ on ``sys.path``, so tracebacks name the real file and line. A
    ``Path`` elsewhere (benchmarks/inside/) is staged with its folder's files beside inside/'s.
    """
    path = script if isinstance(script, Path) else INSIDE / script
    if not path.is_file():
        raise FileNotFoundError(f"no GIMP-side script {script} in {INSIDE}")
    skip = shutil.ignore_patterns("__pycache__")
    shutil.copytree(INSIDE, work.host / "inside", ignore=skip)
    if isinstance(script, Path):
        shutil.copytree(path.parent, work.host / "inside", ignore=skip, dirs_exist_ok=True)
        script = path.name
    if params is not None:
        (work.host / "params.json").write_text(json.dumps(params), encoding="utf-8")
    inside = f"{work.inside}/inside"
    run = f"runpy.run_path({inside + '/' + script!r}, run_name='__main__')"
    (work.host / "batch.py").write_text(f"import runpy, sys\nsys.path.insert(0, {inside!r})\n{run}\n", encoding="utf-8")


def stage_work(
    scratch: Scratch,
    kind: str,
    script: str | Path,
    files: Mapping[str, bytes | str | Path] | None,
    params: Mapping[str, object] | None,
) -> Scratch:
    """A fresh work folder ``<kind>-NNN`` in ``scratch`` holding ``files`` and ``script`` ready to run."""
    work = scratch.sub(f"{kind}-{next(_counter):03d}")
    _stage_files(work, files)
    _stage_script(work, script, params)
    return work


def run_batch(
    root: GimpRoot,
    profile: GimpProfile,
    scratch: Scratch,
    script: str | Path,
    env: Mapping[str, str] | None = None,
    files: Mapping[str, bytes | str | Path] | None = None,
    timeout: float = 300.0,
    expect_report: bool = True,
    params: Mapping[str, object] | None = None,
) -> BatchResult:
    """Run ``script`` (a file under inside/) in gimp-console via python-fu-eval; see conftest."""
    work = stage_work(scratch, "run", script, files, params)
    argv = [
        root.console,
        "-i",
        "--batch-interpreter=python-fu-eval",
        "-b",
        f"exec(open({work.inside + '/batch.py'!r}).read())",
        "--quit",
    ]
    start = time.monotonic()
    try:
        proc = root.run(argv, gimp_env(profile, work, env), timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        log = _text(exc.stdout) + _text(exc.stderr)
        (work.host / "gimp.log").write_text(log, encoding="utf-8")
        raise GimpRunError(f"GIMP did not finish within {timeout} s; log:\n{log[-6000:]}") from exc
    seconds = time.monotonic() - start
    log = proc.stdout + proc.stderr
    (work.host / "gimp.log").write_text(log, encoding="utf-8")
    if proc.returncode != 0:
        raise GimpRunError(f"GIMP exited {proc.returncode} (64: the batch code raised); log:\n{log[-6000:]}")
    report_file = work.host / "report.json"
    if not report_file.is_file():
        if expect_report:
            raise GimpRunError(f"the batch code wrote no report (call hm_write_report); log:\n{log[-6000:]}")
        report = {}
    else:
        report = json.loads(report_file.read_text(encoding="utf-8"))
    return BatchResult(report, log, work.host, work.inside, proc.returncode, seconds)


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data.decode(errors="replace") if isinstance(data, bytes) else data
