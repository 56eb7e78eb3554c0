"""Client <-> emulator over real loopback HTTP: retries where they are safe, never where they are not."""

from __future__ import annotations

import io
import time

import pytest
import requests
from client_support import FAST_RETRY, RecordingClock, fast_client, tiny_server
from halloween_mask.client import Client, Progress, TaskState
from halloween_mask.errors import (
    DamagedDownloadError,
    DeadlineExceededError,
    NetworkError,
    OutOfCreditsError,
    RateLimitedError,
    ServerBusyError,
    SubmitOutcomeUnknownError,
)
from halloween_mask.imageformat import check_complete, read_image_info
from halloween_mask.transport import Timeouts
from halloween_mask_emulator import Emulator, Fault
from PIL import Image
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NameResolutionError, NewConnectionError

# -- retries where safe, never where not ------------------------------------------------------------


def test_poll_5xx_is_retried(client: Client, emulator: Emulator, portrait_bytes: bytes) -> None:
    emulator.configure(faults=(Fault.error("AI_SERVICE_ERROR", route="poll", count=2),))
    assert client.apply(portrait_bytes, mask_style=2).images
    assert [r.status for r in emulator.requests_to("poll")][:3] == [502, 502, 200]


def test_poll_429_honours_retry_after(emulator: Emulator, portrait_bytes: bytes) -> None:
    emulator.configure(faults=(Fault.error("EXCEEDING_LIMITS", route="poll", count=1, retry_after=0.4),))
    clock = RecordingClock()
    with fast_client(emulator.base_url, clock=clock) as client:
        task_id = client.submit(portrait_bytes, mask_style=2)
        started = time.monotonic()
        client.wait(task_id)
    assert max(clock.sleeps) >= 0.4 and time.monotonic() - started >= 0.4


def test_retry_after_on_a_pending_poll_paces_the_next_poll(emulator: Emulator, portrait_bytes: bytes) -> None:
    emulator.configure(processing_seconds=0.3, poll_retry_after=0.6)
    clock = RecordingClock()
    with fast_client(emulator.base_url, clock=clock) as client:  # would poll every 0.05 s on its own
        task_id = client.submit(portrait_bytes, mask_style=2)
        events: list[Progress] = []
        assert client.wait(task_id, on_progress=events.append)
    assert [e.state for e in events] == [TaskState.PROCESSING, TaskState.DONE]
    assert emulator.tasks[task_id].polls == 2
    assert events[1].elapsed - events[0].elapsed >= 0.6 - 0.05 and max(clock.sleeps) >= 0.5


def test_retry_after_on_a_pending_poll_is_bounded_by_the_deadline(emulator: Emulator, portrait_bytes: bytes) -> None:
    emulator.configure(processing_seconds=0.2, poll_retry_after=60)
    with fast_client(emulator.base_url, deadline=1.0) as client:
        task_id = client.submit(portrait_bytes, mask_style=2)
        started = time.monotonic()
        with pytest.raises(DeadlineExceededError) as caught:
            client.wait(task_id)
    assert 0.9 <= time.monotonic() - started < 10  # the deadline holds, not the 60 s asked; no poll sooner
    assert emulator.tasks[task_id].polls == 1 and caught.value.task_id == task_id


def test_retry_after_beyond_the_deadline_gives_up_with_the_error(emulator: Emulator, portrait_bytes: bytes) -> None:
    emulator.configure(faults=(Fault.error("EXCEEDING_LIMITS", route="poll", count=5, retry_after=60),))
    with fast_client(emulator.base_url, deadline=6.0) as client:
        task_id = client.submit(portrait_bytes, mask_style=2)
        started = time.monotonic()
        with pytest.raises(RateLimitedError) as caught:
            client.wait(task_id)
    assert time.monotonic() - started < 3.0 and caught.value.retry_after == 60  # at once, not at the deadline
    assert caught.value.task_id == task_id


def test_out_of_credits_is_not_retried(client: Client, emulator: Emulator, portrait_bytes: bytes) -> None:
    emulator.configure(credits=0)
    with pytest.raises(OutOfCreditsError):
        client.submit(portrait_bytes, mask_style=2)
    assert len(emulator.requests_to("submit")) == 1


def test_download_5xx_and_truncation_are_retried(client: Client, emulator: Emulator, portrait_bytes: bytes) -> None:
    emulator.configure(
        faults=(Fault.error("ERROR_GATEWAY", route="result", count=1), Fault("truncate", route="result", count=1))
    )
    result = client.apply(portrait_bytes, mask_style=4)
    assert read_image_info(result.images[0]).format == "png"
    assert len(emulator.requests_to("result")) == 3


def test_a_download_cut_short_is_fetched_again(client: Client, emulator: Emulator, portrait_bytes: bytes) -> None:
    emulator.configure(faults=(Fault("cut", route="result", count=1),))  # 200, half the file, a matching length
    result = client.apply(portrait_bytes, mask_style=4)
    assert check_complete(result.images[0]).format == "png"
    assert [r.fault for r in emulator.requests_to("result")] == ["cut", None]


def test_a_download_always_cut_short_fails_with_advice(
    client: Client, emulator: Emulator, portrait_bytes: bytes
) -> None:
    emulator.configure(faults=(Fault("cut", route="result", count=99),))
    with pytest.raises(DamagedDownloadError) as caught:
        client.apply(portrait_bytes, mask_style=4)
    message = str(caught.value)
    assert isinstance(caught.value, NetworkError) and caught.value.task_id in message
    assert "cut short or damaged. Try again" in message and "ends inside" in message
    assert len(emulator.requests_to("result")) == FAST_RETRY.attempts


@pytest.mark.parametrize(("fmt", "mime"), [("JPEG", "image/jpeg"), ("WEBP", "image/webp")])
def test_jpeg_and_webp_downloads_cut_short_are_refused(client: Client, fmt: str, mime: str) -> None:
    whole = io.BytesIO()
    Image.effect_noise((200, 200), 60).convert("RGB").save(whole, fmt)
    cut = whole.getvalue()[: len(whole.getvalue()) * 3 // 4]
    with tiny_server({"/r": (200, {"Content-Type": mime}, cut)}) as (base, seen):
        with pytest.raises(DamagedDownloadError, match=fmt):
            client.download(base + "/r")
        assert len(seen) == FAST_RETRY.attempts


def test_a_slow_download_completes(client: Client, emulator: Emulator, portrait_bytes: bytes) -> None:
    emulator.configure(faults=(Fault("slow", route="result", seconds=0.5),))
    assert client.apply(portrait_bytes, mask_style=4).images


@pytest.mark.parametrize("fault", [Fault.error("AI_SERVICE_ERROR", route="submit"), Fault("html", route="submit")])
def test_a_submit_answered_with_5xx_is_not_resent(
    client: Client, emulator: Emulator, portrait_bytes: bytes, fault: Fault
) -> None:
    emulator.configure(faults=(fault,))
    with pytest.raises(ServerBusyError):
        client.submit(portrait_bytes, mask_style=2)
    assert len(emulator.requests_to("submit")) == 1


def test_a_dropped_submit_is_not_resent_and_says_so(client: Client, emulator: Emulator, portrait_bytes: bytes) -> None:
    emulator.configure(faults=(Fault("drop", route="submit"),))
    with pytest.raises(SubmitOutcomeUnknownError, match="may still have been created"):
        client.submit(portrait_bytes, mask_style=2)
    assert len(emulator.requests_to("submit")) == 1


def test_a_submit_read_timeout_is_not_resent(emulator: Emulator, portrait_bytes: bytes) -> None:
    emulator.configure(faults=(Fault("latency", route="submit", seconds=1.5),))
    client = fast_client(emulator.base_url, timeouts=Timeouts(connect=2, read=0.3))
    with client, pytest.raises(SubmitOutcomeUnknownError) as caught:
        client.submit(portrait_bytes, mask_style=2)
    assert isinstance(caught.value, NetworkError)
    time.sleep(1.5)
    assert len(emulator.requests_to("submit")) == 1 and len(emulator.tasks) == 1  # the task does exist


def test_a_refused_submit_is_retried_with_a_fresh_body(
    emulator: Emulator, portrait_bytes: bytes, mocker: pytest.MockFixture
) -> None:
    real_send = requests.adapters.HTTPAdapter.send
    bodies: list[bytes] = []

    def refuse_once(adapter: requests.adapters.HTTPAdapter, request: requests.PreparedRequest, **kw: object):
        bodies.append(request.body)
        if len(bodies) == 1:  # the fault injected where a refused connection would surface
            raise requests.ConnectionError(MaxRetryError(None, request.url, NewConnectionError(None, "refused")))
        return real_send(adapter, request, **kw)

    mocker.patch.object(requests.adapters.HTTPAdapter, "send", refuse_once)
    with fast_client(emulator.base_url) as client:
        task_id = client.submit(portrait_bytes, mask_style=2)
    assert task_id in emulator.tasks and len(emulator.requests_to("submit")) == 1
    assert len(bodies) == 2 and bodies[0] is not bodies[1]


def test_nothing_listening_fails_fast_after_one_quick_retry(portrait_bytes: bytes) -> None:
    with tiny_server({}) as (base, _):
        pass  # the port is closed again: connections are refused
    for call in (lambda c: c.submit(portrait_bytes, mask_style=2), lambda c: c.credits()):
        clock = RecordingClock()
        with fast_client(base, clock=clock) as client, pytest.raises(NetworkError) as caught:
            call(client)
        assert not isinstance(caught.value, SubmitOutcomeUnknownError)
        assert len(clock.sleeps) == 1, "a refused connection went through the whole backoff"  # 2 attempts, not 4
        assert "the connection was refused" in str(caught.value)


@pytest.mark.parametrize(
    ("raised", "cause", "sleeps", "said"),
    [
        (
            requests.ConnectionError,
            NameResolutionError("api.example", None, OSError("Name or service not known")),
            1,
            "does not resolve",
        ),
        (requests.ConnectTimeout, ConnectTimeoutError(None, "timed out"), FAST_RETRY.attempts - 1, "ConnectTimeout"),
    ],
)
def test_an_unresolvable_name_fails_fast_but_a_connect_timeout_is_retried(
    emulator: Emulator,
    mocker: pytest.MockFixture,
    raised: type[requests.RequestException],
    cause: Exception,
    sleeps: int,
    said: str,
) -> None:
    def fail(adapter: requests.adapters.HTTPAdapter, request: requests.PreparedRequest, **kw: object):
        raise raised(MaxRetryError(None, request.url, cause))  # as requests reports the lookup or the timeout

    mocker.patch.object(requests.adapters.HTTPAdapter, "send", fail)
    clock = RecordingClock()
    with fast_client(emulator.base_url, clock=clock) as client, pytest.raises(NetworkError) as caught:
        client.credits()
    assert len(clock.sleeps) == sleeps and said in str(caught.value)
