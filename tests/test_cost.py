"""The dialog's cost and balance line, against the emulator over loopback HTTP."""

from __future__ import annotations

import pytest
from emulator_support import API_KEY
from halloween_mask.config import save_api_key
from halloween_mask.cost import balance_line, cost_line
from halloween_mask_emulator import Emulator


@pytest.fixture
def service(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Emulator:
    monkeypatch.setenv("AILAB_API_BASE", emulator.base_url)
    monkeypatch.delenv("AILAB_API_KEY", raising=False)
    return emulator


def test_the_cost_of_ok() -> None:
    assert cost_line() == "OK costs 15 credits" and cost_line(3) == "OK costs 45 credits"


def test_the_balance_with_the_stored_key_costs_nothing(service: Emulator) -> None:
    save_api_key(API_KEY)
    before = service.credits()
    assert balance_line() == f"about {before // 15:,} masks left"
    assert service.credits() == before and service.requests_to("submit") == []
    assert [r.route for r in service.requests] == ["credits"]


def test_no_key_refused_key_and_no_service_each_give_one_plain_line(
    service: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert balance_line() == "no API key yet: OK asks for one"
    save_api_key("not-the-key")
    assert balance_line() == "the stored API key was refused: OK asks for another"
    monkeypatch.setenv("AILAB_API_KEY", "also-wrong")
    assert balance_line() == "the API key in AILAB_API_KEY was refused"
    monkeypatch.setenv("AILAB_API_BASE", "http://127.0.0.1:9")
    assert balance_line() == "balance unknown (the service cannot be reached now)"
