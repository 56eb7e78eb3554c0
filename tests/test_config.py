"""Settings: key from the environment or a 0600 file, endpoint rules, the redacted key type."""

from __future__ import annotations

import json
import os
import pickle
import stat
from pathlib import Path

import pytest
from fifo_support import read_beside_a_fifo
from halloween_mask import config
from halloween_mask.config import ApiKey, Settings, load_settings, save_api_key, settings_path, validate_base_url
from halloween_mask.errors import SettingsError

SECRET = "sk-very-secret-4242"


@pytest.fixture
def settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cfg" / "settings.json"
    monkeypatch.setenv("HALLOWEEN_MASK_SETTINGS", str(path))
    monkeypatch.delenv("AILAB_API_KEY", raising=False)
    monkeypatch.delenv("AILAB_API_BASE", raising=False)
    return path


def test_api_key_never_shows_itself() -> None:
    key = ApiKey(f"  {SECRET}\n")
    assert key.reveal() == SECRET
    shown_ways = (repr(key), str(key), f"{key}", "{0}".format(key), "%s" % (key,), repr([key]), repr(Settings(key)))  # noqa: UP030, UP031, UP032
    for shown in shown_ways:
        assert SECRET not in shown
    with pytest.raises(TypeError):
        pickle.dumps(key)
    assert ApiKey(key) == key and hash(ApiKey(SECRET)) == hash(key)


@pytest.mark.parametrize("bad", ["", "   ", "two words", "tab\there", "ключ"])
def test_unusable_keys_are_refused_without_echoing_them(bad: str) -> None:
    with pytest.raises(SettingsError) as caught:
        ApiKey(bad)
    assert not bad.strip() or bad not in str(caught.value)


def test_environment_key_wins(settings_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    save_api_key("from-file")
    monkeypatch.setenv("AILAB_API_KEY", SECRET)
    settings = load_settings()
    assert settings.api_key == ApiKey(SECRET) and settings.source == "environment"
    assert settings.base_url == "https://www.ailabapi.com"


def test_saved_key_is_private_and_loaded(settings_file: Path) -> None:
    assert load_settings().api_key is None
    path = save_api_key(SECRET)
    assert path == settings_file
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert json.loads(path.read_text())["api_key"] == SECRET
    assert load_settings().api_key == ApiKey(SECRET)
    assert [p.name for p in path.parent.iterdir()] == ["settings.json"]  # no temp file left behind


def test_saving_keeps_other_settings_and_replaces_the_key(settings_file: Path) -> None:
    settings_file.parent.mkdir(mode=0o700)
    settings_file.write_text(json.dumps({"api_key": "old", "api_base": "http://127.0.0.1:9"}))
    settings_file.chmod(0o600)
    save_api_key(SECRET)
    assert json.loads(settings_file.read_text()) == {"format": 1, "api_key": SECRET, "api_base": "http://127.0.0.1:9"}
    assert load_settings().base_url == "http://127.0.0.1:9"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_a_group_or_world_readable_file_is_refused(settings_file: Path) -> None:
    save_api_key(SECRET)
    settings_file.chmod(0o644)
    with pytest.raises(SettingsError, match="chmod 600") as caught:
        load_settings()
    assert SECRET not in str(caught.value)
    save_api_key(SECRET)  # the first-run prompt can repair it
    assert stat.S_IMODE(settings_file.stat().st_mode) == 0o600


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_a_readable_file_only_warns_when_the_environment_key_wins(
    settings_file: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    settings_file.parent.mkdir()
    settings_file.write_text(json.dumps({"api_key": "from-file", "api_base": "http://127.0.0.1:9"}))
    settings_file.chmod(0o644)
    monkeypatch.setenv("AILAB_API_KEY", SECRET)
    settings = load_settings()
    assert settings.api_key == ApiKey(SECRET) and settings.base_url == "http://127.0.0.1:9"
    assert "readable by other users" in caplog.text and "chmod 600" in caplog.text
    assert "from-file" not in caplog.text and SECRET not in caplog.text


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
def test_a_fifo_settings_path_is_refused_at_once_without_waiting_for_a_writer(settings_file: Path) -> None:
    settings_file.parent.mkdir()
    error = read_beside_a_fifo(settings_file, _settings_error)
    assert isinstance(error, SettingsError) and "a FIFO, not a regular file" in str(error)


@pytest.mark.parametrize(("make", "kind"), [("folder", "a folder"), ("device", "a device")])
def test_a_settings_path_that_is_not_a_regular_file_is_refused(
    settings_file: Path, monkeypatch: pytest.MonkeyPatch, make: str, kind: str
) -> None:
    if make == "folder":
        settings_file.mkdir(parents=True)
    else:
        if not Path("/dev/zero").exists():
            pytest.skip("no /dev/zero")
        monkeypatch.setenv("HALLOWEEN_MASK_SETTINGS", "/dev/zero")
    for action in (load_settings, lambda: save_api_key(SECRET)):
        with pytest.raises(SettingsError, match=f"is {kind}, not a regular file"):
            action()


def _settings_error() -> BaseException | None:
    try:
        load_settings()
    except BaseException as error:  # handed to the test's thread
        return error
    return None


def test_damaged_file_is_reported_without_content(settings_file: Path) -> None:
    settings_file.parent.mkdir()
    settings_file.write_text(f'{{"api_key": "{SECRET}"')
    settings_file.chmod(0o600)
    with pytest.raises(SettingsError, match="cannot be read") as caught:
        load_settings()
    assert SECRET not in str(caught.value)


def test_endpoint_from_environment(settings_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AILAB_API_BASE", "http://localhost:8123/")
    assert load_settings().base_url == "http://localhost:8123"
    monkeypatch.setenv("AILAB_API_BASE", "http://api.example.com")
    with pytest.raises(SettingsError, match="HTTPS is required"):
        load_settings()


@pytest.mark.parametrize(
    "url",
    ["https://www.ailabapi.com", "http://127.0.0.1:5000", "http://127.9.9.9", "http://[::1]:80", "http://localhost"],
)
def test_https_or_loopback_endpoints_are_accepted(url: str) -> None:
    assert validate_base_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1",
        "http://localhost.evil.com",
        "http://localhost.",  # a name the resolver answers, not the loopback name
        "http://localhost.localdomain",
        "http://[::ffff:127.0.0.1]",
        "http://127.1",
        "ftp://127.0.0.1",
        "www.ailabapi.com",
        "https://u:p@host",
    ],
)
def test_other_endpoints_are_refused(url: str) -> None:
    with pytest.raises(SettingsError):
        validate_base_url(url)


def test_platform_config_directories(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("HALLOWEEN_MASK_SETTINGS", raising=False)
    monkeypatch.setattr(config.sys, "platform", "linux")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert settings_path() == tmp_path / "halloween-mask" / "settings.json"
    monkeypatch.delenv("XDG_CONFIG_HOME")
    assert settings_path() == Path.home() / ".config" / "halloween-mask" / "settings.json"
    monkeypatch.setattr(config.sys, "platform", "darwin")
    assert settings_path() == Path.home() / "Library" / "Application Support" / "halloween-mask" / "settings.json"
    monkeypatch.setattr(config.sys, "platform", "win32")
    monkeypatch.setenv("APPDATA", str(tmp_path))
    assert settings_path() == tmp_path / "halloween-mask" / "settings.json"
