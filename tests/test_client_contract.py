"""Client <-> emulator over real loopback HTTP: every path, fault and failure mode."""

from __future__ import annotations

import io
import itertools
import threading
import time

import pytest
import requests
from client_support import fast_client, tiny_server
from emulator_support import API_KEY
from halloween_mask.client import CancelToken, Client, Progress, TaskState, _file_part
from halloween_mask.errors import (
    AuthError,
    CancelledError,
    DeadlineExceededError,
    ErrorKind,
    HalloweenMaskError,
    InvalidArgumentError,
    NoFaceError,
    ProtocolError,
    ResultUnavailableError,
    ServerBusyError,
    TaskFailedError,
    TooLargeError,
    UnsupportedFormatError,
)
from halloween_mask.imageformat import read_image_info
from halloween_mask.styles import ASPECT_RATIOS
from halloween_mask_emulator import Emulator, Failure, Fault
from PIL import Image

# -- the happy paths ------------------------------------------------------------------------------


def test_apply_with_a_style(client: Client, emulator: Emulator, portrait_bytes: bytes) -> None:
    result = client.apply(portrait_bytes, mask_style=7)
    task = emulator.tasks[result.task_id]
    assert task.mask_style == 7 and not task.template_used and task.aspect_ratio == "auto"
    assert len(result.images) == len(result.urls) == 1
    assert read_image_info(result.images[0]).format == "png"
    (submit,) = emulator.requests_to("submit")
    assert set(submit.form_fields) >= {"mask_style", "aspect_ratio"} and "image" in submit.file_sizes


def test_apply_with_a_template(client: Client, emulator: Emulator, portrait_bytes: bytes) -> None:
    result = client.apply(portrait_bytes, template=portrait_bytes)
    task = emulator.tasks[result.task_id]
    assert task.template_used and task.mask_style is None
    assert "image_template" in emulator.requests_to("submit")[0].file_sizes


@pytest.mark.parametrize("ratio", ASPECT_RATIOS)
def test_every_aspect_ratio(client: Client, emulator: Emulator, portrait_bytes: bytes, ratio: str) -> None:
    task_id = client.submit(portrait_bytes, mask_style=3, aspect_ratio=ratio)
    assert emulator.tasks[task_id].aspect_ratio == ratio


def test_several_result_urls_are_all_downloaded(client: Client, emulator: Emulator, portrait_bytes: bytes) -> None:
    emulator.configure(result_count=3, distinct_urls=True)
    result = client.apply(portrait_bytes, mask_style=1)
    assert len(set(result.urls)) == 3 and len(result.images) == 3
    assert len(emulator.requests_to("result")) == 3


def test_the_upload_is_named_and_typed_after_its_bytes(portrait_bytes: bytes) -> None:
    jpeg = io.BytesIO()
    Image.open(io.BytesIO(portrait_bytes)).convert("RGB").save(jpeg, "JPEG")
    for data, name, mime in ((portrait_bytes, "image.png", "image/png"), (jpeg.getvalue(), "image.jpg", "image/jpeg")):
        body = requests.Request("POST", "http://x/", files={"image": _file_part("image", data)}).prepare().body
        assert f'filename="{name}"'.encode() in body and f"Content-Type: {mime}".encode() in body


def test_progress_events_are_typed_and_ordered(emulator: Emulator, portrait_bytes: bytes) -> None:
    emulator.configure(queued_seconds=0.15, processing_seconds=0.3)
    events: list[Progress] = []
    with fast_client(emulator.base_url) as client:
        task_id = client.submit(portrait_bytes, mask_style=5)
        urls = client.wait(task_id, on_progress=events.append)
    assert urls and events[-1].state is TaskState.DONE
    assert {e.state for e in events} == {TaskState.QUEUED, TaskState.PROCESSING, TaskState.DONE}
    assert [e.polls for e in events] == list(range(1, len(events) + 1))
    assert all(a.elapsed <= b.elapsed for a, b in itertools.pairwise(events))
    assert all(e.task_id == task_id for e in events)


def test_credits(client: Client, emulator: Emulator) -> None:
    pools = {p.unique_sign: p for p in client.credits()}
    assert pools["common"].balance == emulator.credits("common")
    assert "portrait_ai_halloween_masks" in pools


# -- waiting: deadline, cancel ------------------------------------------------------------------------


def test_deadline(emulator: Emulator, portrait_bytes: bytes) -> None:
    emulator.configure(failure="never")
    with fast_client(emulator.base_url, deadline=0.6) as client:
        task_id = client.submit(portrait_bytes, mask_style=2)
        started = time.monotonic()
        with pytest.raises(DeadlineExceededError) as caught:
            client.wait(task_id)
    assert 0.5 <= time.monotonic() - started < 5  # the task never ends: only the deadline stops the wait
    assert caught.value.task_id == task_id and task_id in str(caught.value)


def test_apply_keeps_one_deadline_for_submit_wait_and_download(emulator: Emulator, portrait_bytes: bytes) -> None:
    # Each step alone fits in the deadline; together they do not. One deadline ends it at 2 s;
    # a download with 2 s of its own would end at 3.5 s at the earliest.
    emulator.configure(processing_seconds=1.5, faults=(Fault("latency", route="result", seconds=5.0),))
    with fast_client(emulator.base_url) as client:
        started = time.monotonic()
        with pytest.raises(HalloweenMaskError) as caught:
            client.apply(portrait_bytes, mask_style=2, deadline=2.0)
    assert caught.value.kind is ErrorKind.TIMEOUT
    assert time.monotonic() - started < 3.0, "the download got a deadline of its own"


def test_cancel_stops_a_wait_promptly(emulator: Emulator, portrait_bytes: bytes) -> None:
    emulator.configure(processing_seconds=60)
    with Client(API_KEY, emulator.base_url) as client:  # the real schedule: 0 s, then 3.8 s
        task_id = client.submit(portrait_bytes, mask_style=2)
        token = CancelToken()
        threading.Timer(1.0, token.cancel).start()
        started = time.monotonic()
        with pytest.raises(CancelledError) as caught:
            client.wait(task_id, cancel=token)
    assert time.monotonic() - started < 3.0  # cancelled at 1 s, not at the next poll (3.8 s)
    assert caught.value.task_id == task_id and token.cancelled


# -- failed tasks -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "error"),
    [
        ("poll_error", ServerBusyError),
        ("status_3", TaskFailedError),
        ("empty_urls", TaskFailedError),
        ("error_200", ServerBusyError),
        ("html_502", ServerBusyError),
        (Failure("poll_error", code="ERROR_NO_FACE_IN_FILE"), NoFaceError),
        (Failure("submit_reject", code="ERROR_NO_FACE_IN_FILE"), NoFaceError),
    ],
)
def test_failure_modes(client: Client, emulator: Emulator, portrait_bytes: bytes, mode: object, error: type) -> None:
    emulator.configure(failure=mode)
    with pytest.raises(error) as caught:
        client.apply(portrait_bytes, mask_style=2)
    if not str(getattr(mode, "mode", mode)).startswith("submit"):
        assert caught.value.task_id and caught.value.task_id in str(caught.value)


def test_nested_status_succeeds(client: Client, emulator: Emulator, portrait_bytes: bytes) -> None:
    emulator.configure(failure="nested_status")
    assert client.apply(portrait_bytes, mask_style=2).images


def test_legacy_fields_are_tolerated(client: Client, emulator: Emulator, portrait_bytes: bytes) -> None:
    emulator.configure(legacy_fields=True)
    assert client.apply(portrait_bytes, mask_style=2).images


def test_malformed_json_poll(client: Client, emulator: Emulator, portrait_bytes: bytes) -> None:
    task_id = client.submit(portrait_bytes, mask_style=2)
    emulator.configure(faults=(Fault("malformed_json", route="poll"),))
    with pytest.raises(ProtocolError, match="not JSON"):
        client.wait(task_id)


def test_no_face(client: Client, no_face_bytes: bytes) -> None:
    with pytest.raises(NoFaceError):
        client.apply(no_face_bytes, mask_style=2)


def test_unknown_task(client: Client) -> None:
    with pytest.raises(TaskFailedError, match="ERROR_RESOURCE_NOT_FOUND"):
        client.wait("1714743372764.no-such-task")


def test_bad_key(emulator: Emulator, portrait_bytes: bytes) -> None:
    with fast_client(emulator.base_url, key="wrong-key") as client, pytest.raises(AuthError):
        client.submit(portrait_bytes, mask_style=2)


# -- untrusted downloads -------------------------------------------------------------------------------


def test_download_size_cap(emulator: Emulator, portrait_bytes: bytes) -> None:
    client = fast_client(emulator.base_url, max_result_bytes=1000)
    with client, pytest.raises(ResultUnavailableError, match="1,000 byte limit") as caught:
        client.apply(portrait_bytes, mask_style=2)
    assert caught.value.task_id and "paid for" in str(caught.value)  # not a failed task: it can be collected


def test_download_must_be_an_image(client: Client) -> None:
    page = (200, {"Content-Type": "image/png"}, b"<html>not an image</html>")
    with tiny_server({"/r.png": page}) as (base, seen):
        with pytest.raises(TaskFailedError, match="not an image"):
            client.download(base + "/r.png")
        assert len(seen) == 1  # not fetched again: it is no image at all, not one cut short


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/r.png", "javascript:alert(1)", "http:///x"])
def test_only_http_result_urls_are_fetched(client: Client, url: str) -> None:
    with pytest.raises(ProtocolError, match="only HTTPS"):
        client.download(url)


def test_redirects_are_followed_only_to_http(client: Client, portrait_bytes: bytes) -> None:
    with tiny_server(
        {
            "/a": (302, {"Location": "/b"}, b""),
            "/b": (200, {"Content-Type": "image/png"}, portrait_bytes),
            "/evil": (302, {"Location": "file:///etc/passwd"}, b""),
        }
    ) as (base, _):
        assert client.download(base + "/a") == portrait_bytes
        with pytest.raises(ProtocolError):
            client.download(base + "/evil")


# -- bad input, before anything is sent -----------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"mask_style": 3, "template": b"x"},
        {"mask_style": 0},
        {"mask_style": 86},
        {"mask_style": "7"},
        {"mask_style": True},
        {"mask_style": 7, "aspect_ratio": "2:1"},
    ],
)
def test_invalid_arguments_are_refused_up_front(
    client: Client, emulator: Emulator, portrait_bytes: bytes, kwargs: dict
) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        client.submit(portrait_bytes, **kwargs)
    assert isinstance(caught.value, ValueError)
    assert emulator.requests == []


def test_bad_images_are_refused_up_front(client: Client, emulator: Emulator, portrait_bytes: bytes) -> None:
    with pytest.raises(UnsupportedFormatError, match="the image"):
        client.submit(b"GIF89a not supported", mask_style=1)
    with pytest.raises(UnsupportedFormatError, match="the template"):
        client.submit(portrait_bytes, template=b"BM not supported")
    with pytest.raises(TooLargeError, match="the image"):
        client.submit(portrait_bytes + b"\0" * 10_000_000, mask_style=1)
    assert emulator.requests == []


def test_a_submit_slot_bounds_the_submits_in_flight_but_not_the_waits(
    emulator: Emulator, portrait_bytes: bytes
) -> None:
    emulator.configure(processing_seconds=0.6, faults=(Fault("latency", route="submit", seconds=0.3, count=4),))
    client = fast_client(emulator.base_url)
    slot, inside, most = threading.BoundedSemaphore(2), [0], [0]
    lock = threading.Lock()

    class Counted:
        def __enter__(self) -> None:
            slot.acquire()
            with lock:
                inside[0] += 1
                most[0] = max(most[0], inside[0])

        def __exit__(self, *exc_info: object) -> None:
            with lock:
                inside[0] -= 1
            slot.release()

    counted = Counted()
    threads = [
        threading.Thread(target=client.apply, args=(portrait_bytes, style), kwargs={"submit_slot": counted})
        for style in (1, 2, 3, 4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == 2 and inside[0] == 0
    spans = [(task.created, task.done_at) for task in emulator.tasks.values()]
    assert len(spans) == 4
    assert max(sum(a <= t < b for a, b in spans) for t, _ in spans) >= 3, "the waits were held back too"
