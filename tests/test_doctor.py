"""``halloween-mask doctor`` (issue 17 §6): one report to paste into a bug report, run for real.

Against the emulator on loopback: versions, the settings and endpoint in use (never the key), a
timed connection test that sends nothing but the free credits query to the configured endpoint,
the GIMP profiles found with the plug-in's state in each (the installer's discovery), the log's
last lines; home folders as ``~``.
"""

from __future__ import annotations

import io
import ssl
import sys
import sysconfig
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
import urllib3
from emulator_support import free_port
from halloween_mask import __version__
from halloween_mask_cli import main
from halloween_mask_emulator import Emulator, EmulatorConfig

CANARY = "sk-CANARY-doctor-51c0"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home with a GIMP 3.0 profile holding a damaged copy of the plug-in, and an empty 3.2 profile."""
    folder = tmp_path / "home"
    plugin = folder / ".config" / "GIMP" / "3.0" / "plug-ins" / "halloween-mask"
    plugin.mkdir(parents=True)
    (plugin / "halloween-mask.py").write_text("#!/usr/bin/env python3\n")
    (folder / ".config" / "GIMP" / "3.2").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(folder))
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "AILAB_API_KEY", "AILAB_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HALLOWEEN_MASK_SETTINGS", str(folder / ".config" / "halloween-mask" / "settings.json"))
    monkeypatch.delenv("HALLOWEEN_MASK_LOGS")
    return folder


@pytest.fixture
def service(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    with Emulator(EmulatorConfig(api_keys=(CANARY,))) as emulator:
        monkeypatch.setenv("AILAB_API_BASE", emulator.base_url)
        monkeypatch.setattr(sys, "stdin", io.StringIO(CANARY + "\n"))
        assert main(["set-key"]) == 0
        yield emulator


def _doctor(capsys: pytest.CaptureFixture[str], *options: str) -> str:
    capsys.readouterr()
    assert main(["doctor", *options]) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return captured.out


def test_the_report_holds_versions_settings_connection_profiles_and_log(
    home: Path, service: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check"]) == 0  # something in the log
    before = len(service.requests)
    report = _doctor(capsys)

    for shown in (__version__, sys.version.split()[0], sysconfig.get_platform(), ssl.OPENSSL_VERSION):
        assert shown in report
    assert f"requests: {requests.__version__}" in report and f"urllib3: {urllib3.__version__}" in report
    assert "CA certificates: " in report
    assert "settings file: ~/.config/halloween-mask/settings.json" in report
    assert f"endpoint: {service.base_url}" in report and "API key: set (in the settings file)" in report
    assert "name resolution of 127.0.0.1: ok in" in report
    assert "credits query: ok in" in report and "masks left" in report
    # the GIMP profiles, with the plug-in's state in each (the installer's discovery and checks)
    assert "~/.config/GIMP/3.0" in report and "~/.config/GIMP/3.2" in report
    assert "missing" in report and "is not executable" in report
    assert "run started: command line" in report  # the log's last lines
    assert CANARY not in report and str(home) not in report
    sent = service.requests[before:]
    assert [r.path for r in sent] == ["/api/common/query-credits"], "nothing but the credits query is sent"


def test_without_a_key_or_a_reachable_endpoint_the_report_says_so(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AILAB_API_BASE", f"http://127.0.0.1:{free_port()}")
    report = _doctor(capsys)
    assert "API key: not set" in report
    assert "credits query: skipped (no API key is set)" in report
    monkeypatch.setenv("AILAB_API_KEY", CANARY)
    report = _doctor(capsys)
    assert "API key: set (from AILAB_API_KEY)" in report
    assert "credits query: FAILED after" in report and CANARY not in report


def test_no_connection_test_when_asked_not_to(
    home: Path, service: Emulator, capsys: pytest.CaptureFixture[str]
) -> None:
    before = len(service.requests)
    report = _doctor(capsys, "--no-connect")
    assert "Connection test" not in report and "Versions" in report
    assert len(service.requests) == before
