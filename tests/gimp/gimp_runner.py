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
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
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

# Prepended to every batch script. python-fu-eval has already imported Gimp, Gio, GLib, Gegl.
BATCH_PRELUDE = r'''
import json, os, sys, time
from gi.repository import Gimp, Gio, GLib

HM_WORK = os.environ["HM_WORK"]
HM_REPORT = os.environ["HM_REPORT"]


def hm_write_report(report):
    """Write the JSON report the host reads back (atomically)."""
    tmp = HM_REPORT + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2, default=str)
    os.replace(tmp, HM_REPORT)


def hm_path(name):
    """Path of a file in this run's work folder, as GIMP sees it."""
    return os.path.join(HM_WORK, name)


def hm_load(path):
    """Load an image file (path relative to the work folder or absolute)."""
    return Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(hm_path(path)))


def hm_save(image, path):
    """Save an image (XCF or by extension); raises when GIMP says no."""
    if not Gimp.file_save(Gimp.RunMode.NONINTERACTIVE, image, Gio.File.new_for_path(hm_path(path)), None):
        raise RuntimeError(f"saving {path} failed")


def hm_call(name, image=None, drawables=None, run_mode=Gimp.RunMode.NONINTERACTIVE, **args):
    """Call a PDB procedure; returns (status nick, error message or None). Argument names may use _ for -."""
    proc = Gimp.get_pdb().lookup_procedure(name)
    if proc is None:
        raise RuntimeError(f"procedure {name} is not registered")
    config = proc.create_config()
    config.set_property("run-mode", run_mode)
    if image is not None:
        config.set_property("image", image)
    if drawables is not None:
        config.set_core_object_array("drawables", list(drawables))
    for key, value in args.items():
        config.set_property(key.replace("_", "-"), value)
    result = proc.run(config)
    status = result.index(0)
    message = result.index(1) if status != Gimp.PDBStatusType.SUCCESS and result.length() > 1 else None
    return status.value_nick, (str(message) if message is not None else None)


def hm_wait_flag(name, timeout=120.0):
    """Wait until the host creates the flag file ``name`` in the work folder (GUI sessions)."""
    end = time.monotonic() + timeout
    while not os.path.exists(hm_path(name)):
        if time.monotonic() > end:
            raise TimeoutError(f"flag {name} not set within {timeout} s")
        time.sleep(0.1)
'''


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


def _gimp_env(profile: GimpProfile, work: Scratch, env: Mapping[str, str] | None) -> dict[str, str]:
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
    if isinstance(script, str) and ("\n" in script or not script.endswith(".py")):  # code in a string
        (work.host / "batch.py").write_text(BATCH_PRELUDE + "\n" + script, encoding="utf-8")
        return
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
    work = scratch.sub(f"run-{next(_counter):03d}")
    _stage_files(work, files)
    _stage_script(work, script, params)
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
        proc = root.run(argv, _gimp_env(profile, work, env), timeout=timeout, check=False)
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


# --- GUI ------------------------------------------------------------------------------------

GUI_LAUNCHER = r"""
set -u
W="$HM_WORK"
Xvfb -displayfd 3 -screen 0 "${HM_SCREEN:-1280x800x24}" -nolisten tcp 3>"$W/displayfd" 2>"$W/xvfb.log" &
XPID=$!
i=0
while [ ! -s "$W/displayfd" ]; do
    i=$((i + 1)); [ "$i" -gt 200 ] && { echo "Xvfb did not start" >&2; exit 90; }
    sleep 0.05
done
DISPLAY=":$(head -n 1 "$W/displayfd")"; export DISPLAY
dbus-run-session -- "$HM_GIMP" -n --no-splash --batch-interpreter=python-fu-eval \
    -b "exec(open('$W/batch.py').read())" --quit >"$W/gimp-gui.log" 2>&1
rc=$?
echo "$rc" >"$W/gimp.exit"
kill -TERM "$XPID" 2>/dev/null; wait "$XPID"
exit "$rc"
"""


@dataclass
class GuiSession:
    """A full GIMP under Xvfb in the root, driven with xdotool; screenshots go to ARTIFACTS."""

    root: GimpRoot
    work: Scratch
    env: dict[str, str]
    process: subprocess.Popen | None = None
    display: str = ""
    screenshots: list[Path] = field(default_factory=list)
    started: float = 0.0

    def start(self, timeout: float = 30.0) -> GuiSession:
        self.started = time.monotonic()
        argv = ["/bin/sh", "-c", GUI_LAUNCHER]
        self.process = subprocess.Popen(
            self.root.command(argv),
            env=self.root.environment(self.env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        displayfd = self.work.host / "displayfd"
        end = time.monotonic() + timeout
        while not (displayfd.is_file() and displayfd.read_text().strip()):
            if self.process.poll() is not None or time.monotonic() > end:
                raise GimpRunError(f"Xvfb did not start:\n{self._output()}")
            time.sleep(0.05)
        self.display = ":" + displayfd.read_text().split()[0]
        return self

    # -- inspection
    def log(self) -> str:
        path = self.work.host / "gimp-gui.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def report(self) -> dict:
        path = self.work.host / "report.json"
        return json.loads(path.read_text()) if path.exists() else {}

    def wait_for(self, predicate, what: str, timeout: float = 60.0, interval: float = 0.25):
        """Poll ``predicate()`` until truthy; raises with the GIMP log on timeout or GIMP exit."""
        end = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if self.process is not None and self.process.poll() is not None:
                raise GimpRunError(f"GIMP ended while waiting for {what}:\n{self.log()[-6000:]}")
            if time.monotonic() > end:
                raise GimpRunError(f"timed out after {timeout} s waiting for {what}:\n{self.log()[-6000:]}")
            time.sleep(interval)

    def wait_report(self, key: str | None = None, timeout: float = 60.0) -> dict:
        return self.wait_for(lambda: (r := self.report()) and (key is None or key in r) and r, "the report", timeout)

    def flag(self, name: str) -> None:
        """Create the flag file the batch code waits for with hm_wait_flag(name)."""
        (self.work.host / name).touch()

    # -- X11 driving (every call runs inside the root)
    def x(self, *argv: str, check: bool = True, timeout: float = 30.0) -> str:
        proc = self.root.run(list(argv), {"DISPLAY": self.display}, timeout=timeout, check=check)
        return proc.stdout.strip()

    def xdotool(self, *args: str, check: bool = True) -> str:
        return self.x("xdotool", *args, check=check)

    def windows(self, name_regex: str) -> list[str]:
        out = self.xdotool("search", "--onlyvisible", "--name", name_regex, check=False)
        return out.split()

    def window_name(self, wid: str) -> str:
        return self.xdotool("getwindowname", wid, check=False)

    def find_window(self, name_regex: str, contains: str = "", timeout: float = 60.0) -> str:
        """Wait for a visible window whose title matches ``name_regex`` (and contains ``contains``)."""

        def probe() -> str | None:
            for wid in self.windows(name_regex):
                if contains in self.window_name(wid):
                    return wid
            return None

        return self.wait_for(probe, f"window /{name_regex}/ {contains!r}", timeout)

    def image_window(self, timeout: float = 60.0) -> str:
        return self.find_window("GIMP$", contains="RGB", timeout=timeout)

    def focus(self, wid: str, timeout: float = 15.0) -> None:
        """Give ``wid`` the keyboard focus and wait until X says it has it (keys go there next)."""

        def focused() -> bool:
            self.xdotool("windowfocus", "--sync", wid, check=False)
            return self.xdotool("getwindowfocus", check=False) == wid

        self.wait_for(focused, f"the keyboard focus on window {wid} ({self.window_name(wid)!r})", timeout, 0.5)

    def key(self, *keys: str, wid: str | None = None, delay: float = 0.15) -> None:
        """Send keys one by one (focusing ``wid`` first); never letters to the image window."""
        if wid:
            self.focus(wid)
        for key in keys:
            self.xdotool("key", "--clearmodifiers", key)
            time.sleep(delay)

    def click(self, wid: str, x: int, y: int) -> None:
        self.xdotool("mousemove", "--window", wid, str(x), str(y), "click", "1")

    def move(self, wid: str, x: int, y: int, settle: float = 1.5) -> None:
        self.xdotool("windowmove", wid, str(x), str(y))
        time.sleep(settle)

    def screenshot(self, name: str, wid: str | None = None) -> Path:
        """Save the screen (or one window) as ARTIFACTS/gimp-<series>/<name>.png; returns that path."""
        inside = f"{self.work.inside}/{name}.png"
        self.x("import", "-window", wid or "root", inside)
        target = ARTIFACTS / f"gimp-{self.root.series}" / f"{name}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self.root.host(inside), target)
        self.screenshots.append(target)
        return target

    # -- ending
    def close(self, timeout: float = 60.0) -> int | None:
        """Set the ``quit`` flag, wait for GIMP to exit, kill the namespace if it does not."""
        if self.process is None:
            return None
        self.flag("quit")
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.send_signal(signal.SIGKILL)  # --kill-child takes the whole namespace down
            self.process.wait(timeout=30)
        code = self.process.returncode
        self.process = None
        return code

    def _output(self) -> str:
        out = ""
        if self.process is not None and self.process.poll() is not None and self.process.stdout:
            out = self.process.stdout.read()
        return out + self.log()


def start_gui(
    root: GimpRoot,
    profile: GimpProfile,
    scratch: Scratch,
    script: str | Path = "open_image.py",
    env: Mapping[str, str] | None = None,
    files: Mapping[str, bytes | str | Path] | None = None,
    params: Mapping[str, object] | None = None,
) -> GuiSession:
    """Start Xvfb + dbus-run-session gimp-3.x running ``script`` (a file under inside/)."""
    work = scratch.sub(f"gui-{next(_counter):03d}")
    _stage_files(work, files)
    _stage_script(work, script, params)
    session = GuiSession(root, work, {**_gimp_env(profile, work, env), "HM_GIMP": root.gui})
    return session.start()
