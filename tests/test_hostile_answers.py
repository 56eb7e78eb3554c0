"""Hostile or broken answers (issue 17 §2, §3): bombs, broken streams, dates from another clock, result hosts.

Real loopback servers answer; nothing inside the client is replaced. Memory figures are taken in a
child process (``resource.getrusage`` maxrss), as the issue measured them.
"""

from __future__ import annotations

import email.utils
import json
import socket
import struct
import subprocess
import sys
import textwrap
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
from client_support import POLL, SUBMIT, envelope, fast_client, tiny_server
from halloween_mask.errors import HalloweenMaskError, ProtocolError
from halloween_mask.timing import CancelToken, Clock, Deadline
from halloween_mask.transport import Transport
from halloween_mask.urlpolicy import ResultHosts
from halloween_mask_emulator import Emulator

SHARED = Path(__file__).resolve().parents[1] / "shared"
TESTS = Path(__file__).resolve().parent


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int, height: int, idat: bytes | None = None) -> bytes:
    """A valid RGB PNG of zeros (``idat``: the compressed stream to carry instead, with right checksums)."""
    if idat is None:
        squeeze = zlib.compressobj(9)
        row = b"\x00" * (1 + 3 * width)
        idat = b"".join(squeeze.compress(row) for _ in range(height)) + squeeze.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A valid 20000x20000 PNG of about 1.2 MB (1.2 GB of pixels)."""
    return png(20000, 20000)


@contextmanager
def service() -> Iterator[tuple[str, dict, list]]:
    """Submit, poll and result answers set per path; headers exactly as given (no Date unless given)."""
    routes: dict = {}
    with tiny_server(routes, exact_headers=True) as (base, seen):
        yield base, routes, seen


def _json(body: dict, **headers: str) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "application/json", **headers}, json.dumps(body).encode()


def finished_task(routes: dict, urls: list[str]) -> None:
    routes[SUBMIT] = [_json(envelope(task_id="t-1"))]
    routes[POLL] = [_json(envelope(task_status=2, data={"result_urls": urls}))]


# -- §2: results are checked from the header, and decoded, before they count ---------------------


def test_a_decompression_bomb_result_is_refused_from_its_header(bomb: bytes, portrait_bytes: bytes) -> None:
    with service() as (base, routes, _seen):
        finished_task(routes, [base + "/r.png"])
        routes["/r.png"] = [(200, {"Content-Type": "image/png"}, bomb)]
        with fast_client(base) as client:
            started = time.monotonic()
            with pytest.raises(HalloweenMaskError) as caught:
                client.apply(portrait_bytes, mask_style=7)
    assert "20000x20000" in str(caught.value) and "\n" not in str(caught.value)
    assert time.monotonic() - started < 5  # refused, not decoded


def test_a_result_with_valid_checksums_but_a_broken_zlib_stream_is_not_a_success(portrait_bytes: bytes) -> None:
    good = zlib.compress(b"\x00" + b"\x10\x20\x30" * 64, 9)
    for broken in (good[:-6] + b"\xff" * 6, b"\x78\x9c" + b"\x13" * 40, good[: len(good) // 2]):
        with service() as (base, routes, _seen):
            finished_task(routes, [base + "/r.png"])
            routes["/r.png"] = [(200, {"Content-Type": "image/png"}, png(64, 1, idat=broken))]
            with fast_client(base) as client, pytest.raises(HalloweenMaskError) as caught:
                client.apply(portrait_bytes, mask_style=7)
        assert "decode" in str(caught.value)


def test_a_result_whose_stream_holds_fewer_pixels_than_its_header_is_refused(portrait_bytes: bytes) -> None:
    short = zlib.compress(b"\x00" + b"\x00" * 3 * 64, 9)  # one row, for a header that says two
    with service() as (base, routes, _seen):
        finished_task(routes, [base + "/r.png"])
        routes["/r.png"] = [(200, {"Content-Type": "image/png"}, png(64, 2, idat=short))]
        with fast_client(base) as client, pytest.raises(HalloweenMaskError, match="decode"):
            client.apply(portrait_bytes, mask_style=7)


def test_the_bomb_costs_little_memory_in_a_fresh_process(bomb: bytes, tmp_path: Path) -> None:
    """The issue's figure: peak memory of a run that is handed the bomb (a child process, maxrss)."""
    (tmp_path / "bomb.png").write_bytes(bomb)
    code = f"""
        import sys
        sys.path[:0] = [{str(SHARED)!r}, {str(TESTS)!r}]
        from memory_support import peak_kb
        from halloween_mask.imageformat import check_complete
        data = open({str(tmp_path / "bomb.png")!r}, "rb").read()
        try:
            check_complete(data)
        except ValueError as error:
            print("refused:", error)
        print(peak_kb())
    """
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True)
    said, peak_kb = out.stdout.strip().splitlines()
    assert said.startswith("refused:")
    assert int(peak_kb) < 100_000, f"peak {int(peak_kb) / 1024:.0f} MB"
    print(f"peak memory refusing the bomb: {int(peak_kb) / 1024:.0f} MB")


# -- §2: Retry-After is read on the server's clock, and no poll waits more than 15 s ----------------


class _QuickClock(Clock):
    """Real time, but each wait is recorded and cut to 20 ms (the client's choice is what is measured)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def sleep(self, seconds: float, cancel: CancelToken) -> bool:
        self.waits.append(seconds)
        return super().sleep(min(seconds, 0.02), cancel)


def test_a_retry_after_date_is_read_against_the_answers_own_date(portrait_bytes: bytes) -> None:
    """The computer's clock is an hour behind the service's: the wait is what the service meant (2 s)."""
    server_now = time.time() + 3600
    date = email.utils.formatdate(server_now, usegmt=True)
    then = email.utils.formatdate(server_now + 2, usegmt=True)
    with service() as (base, routes, _seen):
        finished_task(routes, [base + "/r.png"])
        routes[POLL].insert(0, _json(envelope(task_status=1), **{"Retry-After": then, "Date": date}))
        routes[POLL].insert(0, _json(envelope(task_status=1), **{"Retry-After": then, "Date": date}))
        routes["/r.png"] = [(200, {"Content-Type": "image/png"}, png(8, 8))]
        with fast_client(base, deadline=30.0) as client:
            started = time.monotonic()
            result = client.apply(portrait_bytes, mask_style=7)
            elapsed = time.monotonic() - started
    assert result.images
    assert elapsed < 10, f"{elapsed:.1f} s"


def test_no_poll_waits_more_than_15_seconds_whatever_retry_after_says(portrait_bytes: bytes) -> None:
    clock = _QuickClock()
    with service() as (base, routes, _seen):
        finished_task(routes, [base + "/r.png"])
        routes[POLL].insert(0, _json(envelope(task_status=1), **{"Retry-After": "3600"}))
        routes[POLL].insert(0, _json(envelope(task_status=1), **{"Retry-After": "Fri, 31 Dec 2100 23:59:59 GMT"}))
        routes["/r.png"] = [(200, {"Content-Type": "image/png"}, png(8, 8))]
        with fast_client(base, deadline=600.0, clock=clock) as client:
            assert client.apply(portrait_bytes, mask_style=7).images
    assert max(clock.waits) <= 15.0 + 1e-6


def test_a_busy_poll_with_a_long_retry_after_is_asked_again_within_15_seconds(portrait_bytes: bytes) -> None:
    clock = _QuickClock()
    busy = (429, {"Content-Type": "application/json", "Retry-After": "7200"}, json.dumps(envelope("EXCEEDING_LIMITS")))
    with service() as (base, routes, _seen):
        finished_task(routes, [base + "/r.png"])
        routes[POLL].insert(0, (busy[0], busy[1], busy[2].encode()))
        routes["/r.png"] = [(200, {"Content-Type": "image/png"}, png(8, 8))]
        with fast_client(base, deadline=600.0, clock=clock) as client:
            assert client.apply(portrait_bytes, mask_style=7).images
    assert max(clock.waits) <= 15.0 + 1e-6


# -- §3: result URLs are HTTPS to the internet ------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://results.example.com/r.png",
        "http://169.254.169.254/latest/meta-data/",
        "https://169.254.169.254/latest/meta-data/",
        "https://10.0.0.1/r.png",
        "https://192.168.1.1/r.png",
        "https://172.16.0.1/r.png",
        "https://100.64.0.1/r.png",
        "https://127.0.0.1/r.png",
        "https://[::1]/r.png",
        "https://[::ffff:169.254.169.254]/r.png",
        "https://[::ffff:a9fe:a9fe]/r.png",
        "https://[::ffff:10.0.0.1]/r.png",
        "https://[fe80::1]/r.png",
        "https://[fc00::1]/r.png",
        "https://0.0.0.0/r.png",
        "https://localhost/r.png",
        "https://a.localhost/r.png",
        "https://127.1/r.png",
        "https://2130706433/r.png",
        "https://0x7f.1/r.png",
        "ftp://results.example.com/r.png",
        "https://user:pw@results.example.com/r.png",
    ],
)
def test_result_urls_that_are_not_https_to_the_internet_are_refused(url: str) -> None:
    with pytest.raises(ProtocolError):
        ResultHosts("https://www.ailabapi.com")(url)


@pytest.mark.parametrize(
    "url",
    ["https://ailab-outputs.oss-accelerate.aliyuncs.com/x/r.png", "https://8.8.8.8/r.png", "https://example.de/r.png"],
)
def test_https_result_urls_on_the_internet_are_fetched(url: str) -> None:
    ResultHosts("https://www.ailabapi.com")(url)


def test_loopback_results_are_fetched_only_while_the_endpoint_is_loopback() -> None:
    ResultHosts("http://127.0.0.1:8765")("http://127.0.0.1:8765/results/t/0.png")
    ResultHosts("http://localhost:8765")("http://localhost:9/r.png")
    with pytest.raises(ProtocolError):
        ResultHosts("http://127.0.0.1:8765")("http://10.0.0.1/r.png")
    with pytest.raises(ProtocolError):
        ResultHosts("https://www.ailabapi.com")("http://127.0.0.1:8765/results/t/0.png")


def test_a_result_url_to_the_metadata_service_is_never_requested(portrait_bytes: bytes) -> None:
    with service() as (base, routes, _seen):
        finished_task(routes, ["http://169.254.169.254/latest/meta-data/iam"])
        with fast_client(base) as client, pytest.raises(HalloweenMaskError, match=r"refusing .*169\.254\.169\.254"):
            client.apply(portrait_bytes, mask_style=7)


def test_a_redirect_from_a_result_host_to_a_private_or_plain_http_address_is_not_followed(
    portrait_bytes: bytes,
) -> None:
    for target in ("http://192.168.0.1/admin", "https://10.1.2.3/x", "http://results.example.com/r.png"):
        with service() as (base, routes, seen):
            finished_task(routes, [base + "/r.png"])
            routes["/r.png"] = [(302, {"Location": target}, b"")]
            with fast_client(base) as client, pytest.raises(HalloweenMaskError, match="refusing"):
                client.apply(portrait_bytes, mask_style=7)
        assert [path for path, _headers in seen].count(
            "/r.png"
        ) == 1  # asked once, refused before any request to the target


@contextmanager
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A loopback TCP port that records whatever a client sends it."""
    received: list[bytes] = []
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(5)

    def serve() -> None:
        try:
            conn, _ = server.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(1)
            with suppress(OSError):
                received.append(conn.recv(65536))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], received
    finally:
        server.close()
        thread.join(timeout=3)


@pytest.mark.parametrize("host", ["127.1", "2130706433"])
def test_a_name_that_resolves_to_this_machine_is_refused_before_anything_is_sent(host: str) -> None:
    """The address the connection reached is checked too: what the URL check cannot see by its name."""
    policy = ResultHosts("https://www.ailabapi.com")
    transport = Transport()
    with listener() as (port, received), pytest.raises(ProtocolError, match="not an address on the internet"):
        transport.fetch(
            f"https://{host}:{port}/r.png",
            max_bytes=1000,
            deadline=Deadline(Clock(), 10),
            cancel=CancelToken(),
            check_url=_PeerOnly(policy),
        )
    transport.close()
    assert received in ([], [b""])  # no TLS hello, no request


class _PeerOnly:
    """The policy's address check alone (its name check would refuse these names before connecting)."""

    def __init__(self, policy: ResultHosts) -> None:
        self.peer = policy.peer

    def __call__(self, url: str) -> None:
        pass


# -- §2: a deadline too long for the platform's timers is still one run, not thread tracebacks -------


def test_a_huge_deadline_runs_without_errors_in_any_thread(emulator: Emulator, portrait_bytes: bytes) -> None:
    raised: list[BaseException] = []
    before = threading.excepthook
    threading.excepthook = lambda args: raised.append(args.exc_value)  # type: ignore[assignment]
    try:
        with fast_client(emulator.base_url, deadline=1e10) as client:
            assert client.apply(portrait_bytes, mask_style=3).images
        token = CancelToken()
        token.cancel()
        assert token.wait(1e10) is True  # no OverflowError: the wait is clamped to what the platform takes
        time.sleep(0.2)
    finally:
        threading.excepthook = before
    assert raised == []
