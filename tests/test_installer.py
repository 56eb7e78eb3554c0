"""install/install.py on the host: the bundle's layout, idempotency, uninstall, checks, isolation."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hm_installer import bundle, checks, cli, errors, wheels
from installer_support import REPO, run_installer

CLIENT_SOURCE = REPO / "shared" / "halloween_mask"


def files_under(path: Path) -> set[str]:
    return {str(p.relative_to(path)) for p in path.rglob("*")}


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    profile = tmp_path_factory.mktemp("gimp") / "3.0"
    profile.mkdir()  # a profile GIMP made: the installer never creates one
    proc = run_installer("--profile", str(profile))
    assert proc.returncode == 0, proc.stderr
    assert "Filters \u25b8 AI \u25b8 Halloween Mask" in proc.stdout
    return profile / "plug-ins" / "halloween-mask"


def test_plugin_layout_gimp_insists_on(installed: Path):
    main = installed / "halloween-mask.py"
    assert installed.name == main.stem
    assert os.access(main, os.X_OK)
    assert main.read_text(encoding="utf-8").splitlines()[0] == "#!/usr/bin/env python3"
    assert checks.check_layout(installed) == []


def lock_files() -> dict[str, bytes]:
    """What the lock says the vendor folder holds besides the client: each library's runtime files and licences."""
    files = {}
    for wheel, path in wheels.locked_wheels():
        with zipfile.ZipFile(path) as archive:
            files.update(wheels.runtime_files(wheel, archive))
    return files


def test_vendor_holds_the_client_and_exactly_the_locked_libraries(installed: Path):
    vendor = installed / "vendor"
    expected = lock_files()
    bundled = {
        p.relative_to(vendor).as_posix(): p.read_bytes()
        for p in vendor.rglob("*")
        if p.is_file() and p.relative_to(vendor).parts[0] != "halloween_mask"
    }
    assert sorted(bundled) == sorted(expected)
    assert bundled == expected
    locked = {wheel.name: wheel.version for wheel in wheels.read_lock()}
    assert set(locked) == {"requests", "urllib3", "idna", "certifi", "charset-normalizer"}
    for name in locked:
        assert any(p.startswith(f"licenses/{name}/") for p in bundled), f"no licence of {name}"
    assert (vendor / "certifi" / "cacert.pem").stat().st_size > 100_000
    source = {p.relative_to(CLIENT_SOURCE) for p in CLIENT_SOURCE.rglob("*.py") if "__pycache__" not in p.parts}
    assert {p.relative_to(vendor / "halloween_mask") for p in (vendor / "halloween_mask").rglob("*.py")} == source
    manifest = json.loads((installed / "INSTALLED.json").read_text())
    assert manifest["dependencies"] == locked


def test_no_tests_caches_compiled_modules_or_packaging_metadata(installed: Path):
    bad = [p for p in files_under(installed) if p.endswith((".so", ".pyd", ".pyc", ".dll", ".dylib"))]
    bad += [p for p in files_under(installed) if {"__pycache__", "tests", "test"} & set(Path(p).parts)]
    bad += [p for p in files_under(installed) if ".dist-info" in p or "RECORD" in p or "METADATA" in p]
    assert bad == []


def fake_wheel(path: Path) -> wheels.LockedWheel:
    """A pure-Python wheel with what a real one may carry besides its runtime files."""
    with zipfile.ZipFile(path, "w") as archive:
        for name in (
            "demo/__init__.py",
            "demo/core.py",
            "demo/data.pem",
            "demo/tests/__init__.py",
            "demo/tests/test_core.py",
            "demo/__pycache__/core.cpython-311.pyc",
            "demo/_speedups.cpython-311-x86_64-linux-gnu.so",
            "demo-1.0.dist-info/METADATA",
            "demo-1.0.dist-info/RECORD",
            "demo-1.0.dist-info/licenses/LICENSE",
            "demo-1.0.dist-info/licenses/NOTICE",
            "other_top/__init__.py",
        ):
            archive.writestr(name, name)
    return wheels.LockedWheel("demo", "1.0", wheels.sha256_of(path), "demo")


def test_only_a_librarys_runtime_files_and_licences_are_taken_from_its_wheel(tmp_path: Path):
    path = tmp_path / "demo-1.0-py3-none-any.whl"
    wheel = fake_wheel(path)
    with zipfile.ZipFile(path) as archive:
        files = wheels.runtime_files(wheel, archive)
    assert sorted(files) == [
        "demo/__init__.py",
        "demo/core.py",
        "demo/data.pem",
        "licenses/demo/LICENSE",
        "licenses/demo/NOTICE",
    ]


def test_a_cached_wheel_must_match_the_locks_hash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A cached wheel that differs from the lock is fetched again; if pip brings no match, nothing is built."""
    cache = tmp_path / "cache"
    cache.mkdir()
    wheel = fake_wheel(cache / "demo-1.0-py3-none-any.whl")
    lock = tmp_path / "bundle.lock"
    lock.write_text(f"demo==1.0 --hash=sha256:{wheel.sha256}  # import: demo\n")
    assert wheels.extract_locked(tmp_path / "vendor", lock, cache) == {"demo": "1.0"}
    (cache / wheel.filename).write_bytes(b"tampered")
    fetched = []
    monkeypatch.setattr(wheels, "pip_download", lambda args, dest, hashes: fetched.append((args, hashes)))
    with pytest.raises(wheels.InstallError, match="does not match the SHA-256"):
        wheels.extract_locked(tmp_path / "vendor2", lock, cache)
    assert fetched and fetched[0][1] is True  # asked pip again, with --require-hashes
    assert not (tmp_path / "vendor2").exists()


def test_a_malformed_lock_line_is_named(tmp_path: Path):
    lock = tmp_path / "bundle.lock"
    lock.write_text("# comment\nrequests>=2\n")
    with pytest.raises(wheels.InstallError, match="line 2"):
        wheels.read_lock(lock)


def test_bundled_client_imports_only_stdlib_and_requests(installed: Path):
    # requests and the libraries it brings (all in the lock): certifi names the CA bundle in the diagnostics.
    allowed = set(sys.stdlib_module_names) | {"requests", "urllib3", "certifi", "halloween_mask", "__future__"}
    offenders = {}
    for path in (installed / "vendor" / "halloween_mask").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            bad = [n for n in names if n.split(".")[0] not in allowed]
            if bad:
                offenders.setdefault(path.name, []).extend(bad)
    assert offenders == {}


ISOLATED_PROBE = r"""
import http.server, json, os, sys, threading
vendor = sys.argv[1]
sys.path.insert(0, vendor)
import requests, certifi, charset_normalizer, halloween_mask.client, halloween_mask.transport
mods = [requests, certifi, charset_normalizer, halloween_mask.client]
assert all(os.path.abspath(m.__file__).startswith(vendor) for m in mods), [m.__file__ for m in mods]
assert not any(k.startswith("PIL") or k.startswith("werkzeug") or k.startswith("cv2") for k in sys.modules)
assert charset_normalizer.from_bytes("héllo wörld".encode("utf-8")).best().encoding == "utf_8"
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'{"ok": true}'
        self.send_response(200); self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *args): pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
reply = requests.get(f"http://127.0.0.1:{server.server_port}/", timeout=10)
server.shutdown()
print(json.dumps({"json": reply.json(), "certs": os.path.getsize(certifi.where())}))
"""


def test_bundle_works_without_host_site_packages(installed: Path):
    vendor = str(installed / "vendor")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    proc = subprocess.run(
        [sys.executable, "-I", "-S", "-c", ISOLATED_PROBE, vendor], capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["json"] == {"ok": True}
    assert report["certs"] > 100_000


def test_reinstall_replaces_cleanly(tmp_path: Path):
    profile = tmp_path / "3.2"
    profile.mkdir()
    assert run_installer("--profile", str(profile)).returncode == 0
    target = profile / "plug-ins" / "halloween-mask"
    first = files_under(target)
    (target / "stale.py").write_text("")
    (target / "vendor" / "requests" / "old_module.py").write_text("")
    assert run_installer("--profile", str(profile)).returncode == 0
    assert files_under(target) == first
    assert [p.name for p in (profile / "plug-ins").iterdir()] == ["halloween-mask"]


def test_a_failed_replacement_keeps_the_installed_copy(tmp_path: Path, monkeypatch, capsys):
    profile = tmp_path / "3.0"
    target = bundle.install_into(profile)
    (target / "halloween_mask_gimp" / "run.py").write_text("# the copy GIMP runs now\n")
    real_rename = Path.rename

    def rename(self, destination):
        if self.name.startswith(".halloween-mask-new-"):  # Windows: a file in the old copy is open
            raise PermissionError(13, "Access is denied", str(destination))
        return real_rename(self, destination)

    monkeypatch.setattr(Path, "rename", rename)
    assert cli.main(["--profile", str(profile)]) == 1
    assert capsys.readouterr().err == f"error: {target}: Access is denied\n"
    assert (target / "halloween_mask_gimp" / "run.py").read_text() == "# the copy GIMP runs now\n"
    assert [p.name for p in (profile / "plug-ins").iterdir()] == ["halloween-mask"]


def test_uninstall_and_dry_run(tmp_path: Path):
    profile = tmp_path / "3.0"
    profile.mkdir()
    proc = run_installer("--profile", str(profile), "--dry-run")
    assert proc.returncode == 0 and "would install" in proc.stdout
    assert not (profile / "plug-ins" / "halloween-mask").exists()
    assert run_installer("--profile", str(profile)).returncode == 0
    proc = run_installer("--profile", str(profile), "--uninstall")
    assert proc.returncode == 0 and "removed" in proc.stdout
    assert not (profile / "plug-ins" / "halloween-mask").exists()
    assert "not installed" in run_installer("--profile", str(profile), "--uninstall").stdout


def test_check_without_gimp_checks_layout_and_imports(tmp_path: Path):
    profile = str(tmp_path / "3.0")
    Path(profile).mkdir()
    path = {"PATH": os.path.dirname(sys.executable)}
    proc = run_installer("--profile", profile, "--check", env=path)
    assert proc.returncode == 1 and "the plug-in is not installed there" in proc.stderr
    assert run_installer("--profile", profile).returncode == 0
    proc = run_installer("--profile", profile, "--check", env=path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "check layout: ok" in proc.stdout
    assert "-I -S: ok" in proc.stdout
    assert "check inside GIMP: skipped, no gimp-console-3.0 found" in proc.stdout
    assert "GIMP not found" in proc.stdout and "All checks passed" not in proc.stdout


def test_a_copy_with_older_translations_is_outdated(tmp_path: Path):
    plugin = bundle.install_into(tmp_path / "3.0")
    assert checks.plugin_state(plugin) == "current"
    (plugin / "locale" / "de" / "LC_MESSAGES" / "halloween-mask.mo").write_bytes(b"")  # before a translation update
    assert checks.plugin_state(plugin) == "outdated"


def test_check_fails_on_broken_install(tmp_path: Path):
    plugin = tmp_path / "3.0" / "plug-ins" / "halloween-mask"
    bundle.install_into(tmp_path / "3.0")
    (plugin / "halloween-mask.py").chmod(0o644)
    assert any("not executable" in p for p in checks.check_layout(plugin))


def test_refuses_plugin_source_without_shebang(tmp_path: Path):
    source = tmp_path / "halloween-mask"
    source.mkdir()
    (source / "halloween-mask.py").write_text("import sys\n")
    with pytest.raises(errors.InstallError, match="must start with"):
        bundle.build_bundle(tmp_path / "out", plugin_source=source)
    (source / "halloween-mask.py").rename(source / "other.py")
    with pytest.raises(errors.InstallError, match="folder name must equal"):
        bundle.build_bundle(tmp_path / "out2", plugin_source=source)
