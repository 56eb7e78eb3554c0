"""The style previews: the URL rule, the bounded fetcher and the on-disk cache, over real loopback HTTP."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from emulator_support import API_KEY
from halloween_mask import config, previews
from halloween_mask.errors import SettingsError
from halloween_mask.imageformat import check_complete
from halloween_mask.previews import PreviewCache, PreviewFetcher, preview_base, preview_url
from halloween_mask_cli import main
from halloween_mask_emulator import Emulator, Fault
from halloween_mask_emulator.renderer import preview_jpeg

VENDOR = "https://ai-resource.ailabtools.com/ai-halloween-masks/masks/7.jpg"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, "https://ai-resource.ailabtools.com"),
        ({"AILAB_API_BASE": "https://www.ailabapi.com"}, "https://ai-resource.ailabtools.com"),
        ({"AILAB_API_BASE": "http://127.0.0.1:8765/"}, "http://127.0.0.1:8765"),  # the emulator serves them
        (
            {"AILAB_API_BASE": "http://127.0.0.1:8765", "AILAB_PREVIEW_BASE": "https://cdn.example"},
            "https://cdn.example",
        ),
        ({"AILAB_PREVIEW_BASE": "http://localhost:9000"}, "http://localhost:9000"),
    ],
)
def test_the_preview_host_rule(environ: dict[str, str], expected: str) -> None:
    assert preview_base(environ) == expected


def test_plain_http_previews_only_from_loopback() -> None:
    with pytest.raises(SettingsError, match="HTTPS is required"):
        preview_base({"AILAB_PREVIEW_BASE": "http://cdn.example"})
    with pytest.raises(SettingsError, match="HTTPS is required"):
        PreviewFetcher("http://cdn.example", PreviewCache(Path("unused")))


def test_styles_prints_the_urls_of_the_rule(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    monkeypatch.delenv("AILAB_API_BASE", raising=False)
    monkeypatch.delenv("AILAB_PREVIEW_BASE", raising=False)
    assert main(["styles"]) == 0
    assert capsys.readouterr().out.splitlines()[6].endswith(VENDOR)
    monkeypatch.setenv("AILAB_API_BASE", "http://127.0.0.1:8765")
    assert main(["styles", "--json"]) == 0
    assert '"preview": "http://127.0.0.1:8765/ai-halloween-masks/masks/7.jpg"' in capsys.readouterr().out


def test_download_saves_every_preview_without_the_key(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("AILAB_API_BASE", emulator.base_url)
    monkeypatch.setenv("AILAB_API_KEY", API_KEY)
    assert main(["styles", "--download", str(tmp_path / "previews")]) == 0
    files = sorted((tmp_path / "previews").glob("*.jpg"), key=lambda p: int(p.stem))
    assert [p.name for p in files] == [f"{n}.jpg" for n in range(1, 86)]
    assert files[36].read_bytes() == preview_jpeg(37)
    assert "85 of 85 previews" in capsys.readouterr().err
    requests = emulator.requests_to("preview")
    assert len(requests) == 85 and not any(r.key_present for r in requests)

    assert main(["styles", "--download", str(tmp_path / "previews")]) == 0  # all there already
    assert len(emulator.requests_to("preview")) == 85


def test_a_warm_cache_needs_no_network(emulator: Emulator, tmp_path: Path) -> None:
    cache = PreviewCache(tmp_path)
    fetcher = PreviewFetcher(emulator.base_url, cache)
    ready: list[int] = []
    report = fetcher.fetch_all(range(1, 11), on_ready=lambda n, path: ready.append(n))
    assert sorted(ready) == sorted(report.fetched) == list(range(1, 11)) and not report.failed

    offline = PreviewFetcher("http://127.0.0.1:9", cache)  # nothing listens there
    report = offline.fetch_all(range(1, 11))
    assert report.cached == list(range(1, 11)) and not report.failed
    assert len(emulator.requests_to("preview")) == 10


def test_an_unreachable_host_is_given_up_quickly(tmp_path: Path) -> None:
    failed: list[int] = []
    report = PreviewFetcher("http://127.0.0.1:9", PreviewCache(tmp_path)).fetch_all(
        on_failed=lambda n, reason: failed.append(n)
    )
    assert report.unreachable and sorted(failed) == list(range(1, 86))
    assert list(tmp_path.iterdir()) == []


def test_a_bad_cache_entry_is_fetched_again(emulator: Emulator, tmp_path: Path) -> None:
    cache = PreviewCache(tmp_path)
    cache.put(5, preview_jpeg(5)[:2000])  # cut short, as a killed write or a full disk leaves it
    cache.put(6, b"<html>captive portal</html>")
    report = PreviewFetcher(emulator.base_url, cache).fetch_all([5, 6, 7])
    assert sorted(report.fetched) == [5, 6, 7]
    assert all(cache.path(n).read_bytes() == preview_jpeg(n) for n in (5, 6, 7))


def test_a_preview_cut_short_on_the_way_is_fetched_again(emulator: Emulator, tmp_path: Path) -> None:
    emulator.configure(faults=[Fault("cut", route="preview", count=1)])
    report = PreviewFetcher(emulator.base_url, PreviewCache(tmp_path)).fetch_all([9])
    assert report.fetched == [9] and len(emulator.requests_to("preview")) == 2
    check_complete(PreviewCache(tmp_path).path(9).read_bytes())


def test_a_preview_over_the_size_cap_is_refused(
    emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(previews, "MAX_PREVIEW_BYTES", len(preview_jpeg(3)) - 1)
    report = PreviewFetcher(emulator.base_url, PreviewCache(tmp_path)).fetch_all([3])
    assert "byte limit" in report.failed[3]
    assert not PreviewCache(tmp_path).path(3).exists()


class _Host(http.server.ThreadingHTTPServer):
    """A loopback preview host that counts requests in flight; ``body`` and ``redirect`` shape its answers."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.in_flight = self.most_in_flight = self.count = 0
        self.body: bytes | None = None
        self.redirect = ""
        self.headers_seen: list[str] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Host

    def do_GET(self) -> None:
        host = self.server
        with host.lock:
            host.in_flight += 1
            host.count += 1
            host.most_in_flight = max(host.most_in_flight, host.in_flight)
            host.headers_seen += [name.lower() for name in self.headers]
        time.sleep(0.05)
        with host.lock:
            host.in_flight -= 1
        if host.redirect:
            self.send_response(302)
            self.send_header("Location", host.redirect)
            self.end_headers()
            return
        body = host.body if host.body is not None else preview_jpeg(int(Path(self.path).stem))
        self.send_response(200)
        self.send_header("Content-Type", "image/jpeg")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def host() -> Iterator[_Host]:
    server = _Host()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_at_most_six_previews_are_in_flight(host: _Host, tmp_path: Path) -> None:
    report = PreviewFetcher(host.base, PreviewCache(tmp_path)).fetch_all()
    assert len(report.fetched) == 85 and host.count == 85
    assert host.most_in_flight == previews.WORKERS
    assert "ailabapi-api-key" not in host.headers_seen


def test_bytes_that_are_not_a_picture_are_not_cached(host: _Host, tmp_path: Path) -> None:
    host.body = b"<html>not found</html>"
    report = PreviewFetcher(host.base, PreviewCache(tmp_path)).fetch_all([1, 2])
    assert set(report.failed) == {1, 2} and "not a picture" in report.failed[1]
    assert not report.unreachable  # the host answers; it is the answers that are wrong
    assert list(tmp_path.iterdir()) == []


def test_a_redirect_to_plain_http_elsewhere_is_not_followed(host: _Host, tmp_path: Path) -> None:
    host.redirect = "http://cdn.example/masks/1.jpg"
    report = PreviewFetcher(host.base, PreviewCache(tmp_path)).fetch_all([1])
    assert "HTTPS is required" in report.failed[1]


def test_preview_url_checks_the_style() -> None:
    assert preview_url(85, "https://h.example") == "https://h.example/ai-halloween-masks/masks/85.jpg"
    with pytest.raises(ValueError):
        preview_url(86, "https://h.example")


def test_the_cache_lives_in_the_platforms_cache_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(config.sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # a Flatpak or Snap GIMP sets its own
    assert PreviewCache.for_base("http://127.0.0.1:8765").folder == tmp_path / "halloween-mask/previews/127.0.0.1-8765"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # the XDG rule: a relative value is ignored
    home = Path.home()
    assert PreviewCache.for_base(previews.DEFAULT_PREVIEW_BASE).folder == (
        home / ".cache/halloween-mask/previews/ai-resource.ailabtools.com"
    )
    monkeypatch.setattr(config.sys, "platform", "darwin")
    assert config.cache_dir() == home / "Library" / "Caches"
    monkeypatch.setattr(config.sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    assert config.cache_dir() == tmp_path / "Local"
    monkeypatch.delenv("LOCALAPPDATA")
    assert config.cache_dir() == home / "AppData" / "Local"
