"""The API key is nowhere it must not be: reprs, logs, errors, result hosts, redirects, session headers."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest
from client_support import fast_client, tiny_server
from halloween_mask.client import Client
from halloween_mask.config import load_settings, save_api_key
from halloween_mask.errors import AuthError, HalloweenMaskError, ProtocolError
from halloween_mask_emulator import Emulator, Fault

SECRET = "sk-live-SECRET-0123456789"


@pytest.fixture
def secret_emulator(emulator: Emulator) -> Emulator:
    emulator.configure(api_keys=(SECRET,))
    return emulator


def everything_said(error: BaseException) -> str:
    return " ".join([str(error), repr(error), repr(error.args), repr(vars(error))])


def test_key_is_absent_from_logs_reprs_and_result_requests(
    secret_emulator: Emulator, portrait_bytes: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger, urllib3 included
    with fast_client(secret_emulator.base_url, key=SECRET) as client:
        result = client.apply(portrait_bytes, mask_style=9)
        for shown in (repr(client), str(client), repr(vars(client)), repr(client.transport.session.headers)):
            assert SECRET not in shown
    assert caplog.records and all(SECRET not in record.getMessage() for record in caplog.records)
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("halloween_mask")]
    assert ours and not any(url in message for url in result.urls for message in ours)  # host only
    api = [r for r in secret_emulator.requests if r.route in ("submit", "poll")]
    downloads = secret_emulator.requests_to("result")
    assert api and all(r.key_present for r in api)
    assert downloads and not any(r.key_present for r in downloads)
    assert not any("ailabapi-api-key" in (h.lower() for h in r.header_names) for r in downloads)


def test_key_is_absent_from_errors(secret_emulator: Emulator, portrait_bytes: bytes) -> None:
    secret_emulator.configure(api_keys=("another-key",))
    with fast_client(secret_emulator.base_url, key=SECRET) as client:
        with pytest.raises(AuthError) as auth:
            client.submit(portrait_bytes, mask_style=1)
        secret_emulator.configure(api_keys=(SECRET,), faults=(Fault("drop", route="submit"),))
        with pytest.raises(HalloweenMaskError) as dropped:
            client.submit(portrait_bytes, mask_style=1)
    for error in (auth.value, dropped.value):
        assert SECRET not in everything_said(error)
        assert error.__cause__ is None or SECRET not in repr(error.__cause__)


def test_api_redirects_are_not_followed_with_the_key() -> None:
    with tiny_server({}) as (elsewhere, seen_elsewhere):
        target = elsewhere + "/steal"
        moved = (302, {"Location": target}, b"")
        routes = {"/api/common/query-credits": moved, "/api/portrait/effects/ai-halloween-mask": moved}
        with tiny_server(routes) as (base, _), Client(SECRET, base) as client, pytest.raises(ProtocolError) as caught:
            client.credits()
        assert seen_elsewhere == []
    assert SECRET not in everything_said(caught.value)


def test_key_is_written_only_to_the_private_settings_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("HALLOWEEN_MASK_SETTINGS", str(tmp_path / "conf" / "settings.json"))
    monkeypatch.delenv("AILAB_API_KEY", raising=False)
    path = save_api_key(SECRET)
    settings = load_settings()
    assert SECRET not in repr(settings) and SECRET not in str(settings)
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    holders = [p for p in tmp_path.rglob("*") if p.is_file() and SECRET.encode() in p.read_bytes()]
    assert holders == [path]
    assert all(SECRET not in r.getMessage() for r in caplog.records)
