"""Starting and stopping the emulator, its loopback binding, control routes and ``serve_forever``."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests
from emulator_support import API_KEY, EmulatorApi, free_port, wait_until_serving
from halloween_mask_emulator import Emulator, EmulatorConfig, serve_forever

KEYED = {"ailabapi-api-key": API_KEY}  # the control routes want the emulator's key


def test_binds_loopback_on_a_free_port_and_stops() -> None:
    emu = Emulator(EmulatorConfig())
    with emu:
        assert emu.base_url.startswith("http://127.0.0.1:") and emu.port > 0
        assert requests.get(emu.base_url + "/ai-halloween-masks/masks/1.jpg", timeout=5).status_code == 200
        port = emu.port
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://127.0.0.1:{port}/ai-halloween-masks/masks/1.jpg", timeout=2)
    with pytest.raises(RuntimeError):
        _ = emu.base_url


def test_two_emulators_side_by_side() -> None:
    with Emulator() as one, Emulator() as two:
        assert one.port != two.port


def test_serve_forever_refuses_other_hosts() -> None:
    with pytest.raises(ValueError):
        serve_forever(EmulatorConfig(), host="0.0.0.0", port=0)


def test_control_routes(emulator: Emulator, api: EmulatorApi, portrait_bytes: bytes) -> None:
    changed = requests.post(
        emulator.base_url + "/_emulator/config",
        json={"failure": "status_3", "credits": 45, "faults": []},
        headers=KEYED,
        timeout=5,
    )
    assert changed.status_code == 200
    assert emulator.config.failure.mode == "status_3"
    task_id = api.task_id(portrait_bytes)
    assert api.poll(task_id).json()["task_status"] == 3
    state = requests.get(emulator.base_url + "/_emulator/state", headers=KEYED, timeout=5).json()
    assert state["tasks"][task_id]["failure"] == "status_3"
    assert {p["unique_sign"]: p["balance"] for p in state["credits"]}["common"] == 45
    assert [r["route"] for r in state["requests"]][:3] == ["control_config", "submit", "poll"]
    refused = requests.post(emulator.base_url + "/_emulator/config", json={"nonsense": 1}, headers=KEYED, timeout=5)
    assert refused.status_code == 400
    assert (
        requests.post(emulator.base_url + "/_emulator/reset", json={}, headers=KEYED, timeout=5).json()["tasks"] == {}
    )


def test_control_routes_can_be_switched_off(emulator: Emulator) -> None:
    emulator.configure(control_routes=False)
    assert requests.get(emulator.base_url + "/_emulator/state", headers=KEYED, timeout=5).status_code == 404


def test_serve_forever_in_another_process(portrait_bytes: bytes) -> None:
    port = free_port()
    code = (
        "from halloween_mask_emulator import EmulatorConfig, serve_forever\n"
        f"serve_forever(EmulatorConfig(api_keys=({API_KEY!r},)), port={port})\n"
    )
    process = subprocess.Popen([sys.executable, "-c", code])
    try:
        api = EmulatorApi(f"http://127.0.0.1:{port}")
        wait_until_serving(api)
        task_id = api.task_id(portrait_bytes)
        url = api.poll(task_id).json()["data"]["result_urls"][0]
        assert url.startswith(f"http://127.0.0.1:{port}/results/")
        assert requests.get(url, timeout=10).headers["Content-Type"] == "image/png"
    finally:
        process.terminate()
        process.wait(timeout=10)
