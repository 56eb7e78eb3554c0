"""Fixtures for end-to-end tests in a real GIMP 3 (one Debian root per series; see gimp_runner.py).

Every test in this folder is marked ``gimp``; tests that use ``gui_session`` also ``gui``.
Every one runs on each GIMP series (``gimp_root`` is parametrized: ids ``[gimp-3.0]``,
``[gimp-3.2]``); ``HM_GIMP_SERIES=3.2`` limits a run to one.

The code that runs inside GIMP lives in real files under ``inside/`` (linted like the rest),
one folder per test module; a test names the script and reads back the report it writes::

    # inside/smoke/registered.py
    from gi.repository import Gimp
    from hm import hm_write_report

    proc = Gimp.get_pdb().lookup_procedure("python-fu-halloween-mask")
    hm_write_report({"menu": list(proc.get_menu_paths()) if proc else None})

    # test_smoke.py
    def test_registers(run_gimp_batch):
        assert run_gimp_batch("smoke/registered.py").report["menu"] == ["<Image>/Filters/AI"]

Scripts import their helpers from ``inside/hm.py`` (hm_write_report, hm_params, hm_path,
hm_load, hm_save, hm_call, hm_wait_flag) and ``inside/plugin_lib.py``. They must raise on any
failure: GIMP exits 0 even when a called plug-in fails.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest
from gimp_runner import (
    SCRATCH_INSIDE,
    BatchResult,
    GimpProfile,
    GimpRoot,
    RootUnavailable,
    Scratch,
    build_root,
    cannot_enter_root,
    install_profile,
    mirror_reachable,
    root_path,
    run_batch,
    selected_series,
    sweep_stale_scratch,
)
from gui_runner import GuiSession, start_gui
from halloween_mask_emulator import Emulator, EmulatorConfig
from plugin_batch import SECRET_KEY

FIXTURES = Path(__file__).parent / "fixtures"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.path).parents:
            item.add_marker(pytest.mark.gimp)
            if "gui_session" in getattr(item, "fixturenames", ()):
                item.add_marker(pytest.mark.gui)


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session", params=selected_series(), ids=lambda series: f"gimp-{series}")
def gimp_root(request: pytest.FixtureRequest) -> GimpRoot:
    """The built root of one GIMP series (built once per machine, ~90 s; ~0 s when up to date).

    A build's progress is shown on the terminal as it happens. Skips where the machine cannot
    build it (not root, no unshare, mirror unreachable); under CI=true only "not root" skips
    and anything else fails.
    """
    series = request.param
    reason = cannot_enter_root()
    if reason and (not _in_ci() or "needs root" in reason):
        pytest.skip(f"GIMP {series} root unavailable: {reason}")
    if reason:
        pytest.fail(f"GIMP {series} root unavailable in CI: {reason}")
    terminal = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")

    def progress(line: str) -> None:
        if terminal is None:
            return
        with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
            terminal.write_line(line)

    try:
        return build_root(series, root_path(series), progress)
    except RootUnavailable as exc:
        if not _in_ci() and not mirror_reachable():
            pytest.skip(f"GIMP {series} root cannot be built: the Debian mirror is unreachable\n{exc}")
        pytest.fail(f"GIMP {series} root build failed:\n{exc}")


@pytest.fixture(scope="session")
def gimp_scratch(gimp_root: GimpRoot) -> Iterator[Scratch]:
    """This session's scratch folder inside the root (removed at the end unless HM_KEEP_SCRATCH=1)."""
    sweep_stale_scratch(gimp_root)
    scratch = Scratch(gimp_root, f"{SCRATCH_INSIDE}/{uuid.uuid4().hex[:10]}")
    scratch.host.mkdir(parents=True)
    yield scratch
    if os.environ.get("HM_KEEP_SCRATCH") != "1":
        shutil.rmtree(scratch.host, ignore_errors=True)


@pytest.fixture(scope="session")
def make_gimp_profile(gimp_scratch: Scratch) -> Callable[..., GimpProfile]:
    """Factory: a fresh profile with the plug-in installed by install/install.py.

    ``make_gimp_profile(extra_plugins=[dir, ...], installer=True, release_zip=None)`` (a zip:
    installed by extracting it instead); each call costs one cold GIMP start (~10 s) on first use.
    """
    count = iter(range(1, 10_000))

    def make(extra_plugins=(), installer: bool = True, release_zip: Path | None = None) -> GimpProfile:
        scratch = gimp_scratch.sub(f"profile-{next(count):02d}")
        return install_profile(scratch, extra_plugins, installer, release_zip)

    return make


@pytest.fixture(scope="session")
def gimp_profile(make_gimp_profile: Callable[..., GimpProfile]) -> GimpProfile:
    """The session's shared profile (warm starts after the first run, ~5 s instead of ~10 s)."""
    return make_gimp_profile()


@pytest.fixture
def run_gimp_batch(gimp_root: GimpRoot, gimp_profile: GimpProfile, gimp_scratch: Scratch) -> Callable[..., BatchResult]:
    """``run_gimp_batch(script, env=None, *, files=None, profile=None, timeout=300, expect_report=True, params=None)``.

    Runs ``script`` (a file under inside/; ``params`` reach it through ``hm_params()``)
    headless in gimp-console inside the root with a fresh work folder (also
    GIMP3_TEMPDIR=<work>/gimp-tmp), ``env`` added to GIMP's environment (e.g. AILAB_API_BASE,
    AILAB_API_KEY, HALLOWEEN_MASK_SETTINGS), ``files`` ({name: bytes | str | Path}) copied into
    the work folder first. Returns BatchResult(report, log, work (host path), work_inside,
    returncode, seconds); raises GimpRunError with the log when GIMP fails or the code raises.
    """

    def run(
        script: str,
        env: Mapping[str, str] | None = None,
        *,
        files: Mapping[str, bytes | str | Path] | None = None,
        profile: GimpProfile | None = None,
        timeout: float = 300.0,
        expect_report: bool = True,
        params: Mapping[str, object] | None = None,
    ) -> BatchResult:
        profile = profile or gimp_profile
        return run_batch(gimp_root, profile, gimp_scratch, script, env, files, timeout, expect_report, params)

    return run


@pytest.fixture
def gui_session(
    gimp_root: GimpRoot, gimp_profile: GimpProfile, gimp_scratch: Scratch
) -> Iterator[Callable[..., GuiSession]]:
    """Factory ``gui_session(script="open_image.py", env=None, files=None, profile=None, params=None)``.

    Starts Xvfb and ``dbus-run-session gimp-3.x`` in the root running ``script`` (under
    inside/); the default opens ``env['HM_IMAGE']`` (a file in the work folder) in a window,
    reports, and waits for the ``quit`` flag. Sessions are closed at the end of the test.
    """
    sessions: list[GuiSession] = []

    def start(
        script: str = "open_image.py", env=None, files=None, profile: GimpProfile | None = None, params=None
    ) -> GuiSession:
        session = start_gui(gimp_root, profile or gimp_profile, gimp_scratch, script, env, files, params)
        sessions.append(session)
        return session

    yield start
    for session in sessions:
        session.close()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "emulator(**settings): the module's EmulatorConfig settings (e.g. processing_seconds=1.0)"
    )


def emulator_config(node: pytest.Item | pytest.Collector) -> EmulatorConfig:
    """The test key plus the settings of the closest ``pytest.mark.emulator(...)``."""
    marker = node.get_closest_marker("emulator")
    return EmulatorConfig(api_keys={SECRET_KEY}, **(marker.kwargs if marker else {}))


@pytest.fixture(scope="module")
def emu(request: pytest.FixtureRequest) -> Iterator[Emulator]:
    """The module's emulator on 127.0.0.1, accepting the test key; other settings by marker::

    pytestmark = [pytest.mark.emulator(processing_seconds=1.0), pytest.mark.usefixtures("fresh_emulator")]
    """
    with Emulator(emulator_config(request.node)) as emulator:
        yield emulator


@pytest.fixture
def fresh_emulator(emu: Emulator, request: pytest.FixtureRequest) -> None:
    """No tasks, no request log and the module's settings before the test (opt in with ``usefixtures``)."""
    emu.reset(emulator_config(request.node))
