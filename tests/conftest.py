"""Shared fixtures: the emulator on loopback and test portraits (helpers live in emulator_support.py).

- ``portrait_bytes`` / ``portrait_path``: a real photograph with one frontal face (NASA, public domain).
- ``no_face_bytes``: a generated landscape-like PNG in which the detector finds no face.
- ``emulator``: a started ``Emulator`` on 127.0.0.1 (free port) accepting the key ``API_KEY``,
  with zero queue/processing time; fresh per test; reconfigure with ``emulator.configure(...)``.
- ``api``: an ``EmulatorApi`` bound to ``emulator`` that speaks raw HTTP with ``requests``.
- ``service``: ``emulator`` as the user's configured service (AILAB_API_BASE, AILAB_API_KEY set).
- ``client``: a fast-polling ``Client`` of ``emulator`` (``client_support.fast_client``).

Every test gets its own settings file location (``HALLOWEEN_MASK_SETTINGS`` in a temporary
folder), data folder (``HALLOWEEN_MASK_DATA``) and log folder (``HALLOWEEN_MASK_LOGS``), so no test
reads or writes the real user's settings, pending tasks, history or log.

Under pytest-xdist with ``--dist loadgroup`` (CI: ``-n 2 --dist loadgroup``) every GIMP test of
one series goes to one worker (xdist_support.py), so each worker makes the session fixtures of
one root once (scratch, profile) and the two GIMP versions run side by side; the other tests
spread over the workers.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from client_support import fast_client
from emulator_support import API_KEY, PORTRAIT, EmulatorApi, make_no_face_png
from halloween_mask import Client
from halloween_mask_emulator import Emulator, EmulatorConfig
from xdist_support import series_scheduler


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist; "-p no:xdist" runs without it
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object | None:
    """``--dist loadgroup``: one unit of work per GIMP series (xdist_support.py), one worker each."""
    return series_scheduler(config, log) if config.getoption("dist") == "loadgroup" else None


@pytest.fixture(autouse=True)
def private_settings(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's settings file path (not created); the pending-task store lives beside it, and the
    history of results in a data folder of its own (``HALLOWEEN_MASK_DATA``)."""
    path = tmp_path_factory.mktemp("settings") / "settings.json"
    monkeypatch.setenv("HALLOWEEN_MASK_SETTINGS", str(path))
    monkeypatch.setenv("HALLOWEEN_MASK_DATA", str(tmp_path_factory.mktemp("data")))
    monkeypatch.setenv("HALLOWEEN_MASK_LOGS", str(tmp_path_factory.mktemp("logs")))
    monkeypatch.setenv("HALLOWEEN_MASK_UPLOAD_NOTICE", "accepted")  # tests of the notice itself unset it
    return path


@pytest.fixture(scope="session")
def portrait_path() -> Path:
    return PORTRAIT


@pytest.fixture(scope="session")
def portrait_bytes() -> bytes:
    return PORTRAIT.read_bytes()


@pytest.fixture(scope="session")
def no_face_bytes() -> bytes:
    return make_no_face_png()


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(EmulatorConfig(api_keys=(API_KEY,))) as emu:
        yield emu


@pytest.fixture
def api(emulator: Emulator) -> Iterator[EmulatorApi]:
    helper = EmulatorApi(emulator.base_url)
    yield helper
    helper.session.close()


@pytest.fixture
def service(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    """The emulator as the user's service, configured through the environment as a user would."""
    monkeypatch.setenv("AILAB_API_BASE", emulator.base_url)
    monkeypatch.setenv("AILAB_API_KEY", API_KEY)
    return emulator


@pytest.fixture
def client(emulator: Emulator) -> Iterator[Client]:
    with fast_client(emulator.base_url) as c:
        yield c
