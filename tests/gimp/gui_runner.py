"""A full GIMP 3 under Xvfb inside a root, driven with xdotool like a person: the GUI tests' runner.

``start_gui`` starts Xvfb and ``dbus-run-session gimp-3.x`` in the root running one script under
inside/ (see gimp_runner for the roots, profiles and staging); ``GuiSession`` finds windows,
sends keys and clicks, takes screenshots into ARTIFACTS and ends the session.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from gimp_runner import ARTIFACTS, GimpProfile, GimpRoot, GimpRunError, Scratch, gimp_env, stage_work

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
    work = stage_work(scratch, "gui", script, files, params)
    session = GuiSession(root, work, {**gimp_env(profile, work, env), "HM_GIMP": root.gui})
    return session.start()
