"""install/install.py on the host: bundle layout, idempotency, uninstall, profile discovery, isolation."""

from __future__ import annotations

import ast
import json
import os
import plistlib
import shutil
import stat
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from zip_support import extract

REPO = Path(__file__).resolve().parents[1]
INSTALLER = REPO / "install" / "install.py"
CLIENT_SOURCE = REPO / "shared" / "halloween_mask"


sys.path.insert(0, str(INSTALLER.parent))
from hm_installer import bundle, checks, cli, errors, layout, profiles, release, wheels  # noqa: E402


def run_installer(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(INSTALLER), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


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


# --- release zip ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def release_zip(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release")
    proc = run_installer("--zip", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "Preferences \u25b8 Folders \u25b8 Plug-ins" in proc.stdout
    return next(out.iterdir())


def zip_modes(archive: Path) -> dict[str, int]:
    with zipfile.ZipFile(archive) as zipped:
        return {info.filename: info.external_attr >> 16 for info in zipped.infolist()}


def test_release_zip_is_the_installed_folder(release_zip: Path, tmp_path: Path):
    installed = bundle.install_into(tmp_path / "3.2")
    assert release_zip.name == f"halloween-mask-{bundle.client_version()}-gimp3.zip"
    with zipfile.ZipFile(release_zip) as zipped:
        entries = {info.filename: zipped.read(info) for info in zipped.infolist()}
    files = {f"halloween-mask/{p.relative_to(installed).as_posix()}": p for p in installed.rglob("*") if p.is_file()}
    assert sorted(entries) == sorted(files), "the zip's folder differs from what the installer lays out"
    assert {name: data for name, data in entries.items()} == {name: p.read_bytes() for name, p in files.items()}
    versions = entries["halloween-mask/VERSIONS.txt"].decode()
    assert f"AI Halloween Mask {bundle.client_version()}" in versions
    for wheel in wheels.read_lock():
        assert f"{wheel.name} {wheel.version}" in versions


def test_release_zip_keeps_the_executable_bit_for_unix(release_zip: Path):
    modes = zip_modes(release_zip)
    assert modes.pop("halloween-mask/halloween-mask.py") == stat.S_IFREG | 0o755
    assert set(modes.values()) == {stat.S_IFREG | 0o644}
    with zipfile.ZipFile(release_zip) as zipped:
        assert {info.create_system for info in zipped.infolist()} == {3}  # Unix: unzip applies the modes


def test_release_zip_bytes_depend_only_on_the_inputs(release_zip: Path, tmp_path: Path):
    """Built again from a copy of the plug-in with other file times: byte for byte the same."""
    source = tmp_path / "source" / "halloween-mask"
    shutil.copytree(layout.PLUGIN_SOURCE, source, ignore=shutil.ignore_patterns("__pycache__"))
    for path in source.rglob("*"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    again = release.write_zip(tmp_path / "out", plugin_source=source)
    assert again.read_bytes() == release_zip.read_bytes()


def test_release_zip_is_the_same_built_by_a_python_with_other_libraries_installed(release_zip: Path, tmp_path: Path):
    """Another environment: a venv whose requests and certifi are other versions (certifi with tests/)."""
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
    site = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], text=True
        ).strip()
    )
    for package, version in (("requests", "2.0.0"), ("certifi", "2099.1.1")):
        (site / package / "tests").mkdir(parents=True)
        (site / package / "__init__.py").write_text(f"__version__ = {version!r}\n")
        (site / package / "tests" / "test_it.py").write_text("")
        (site / package / "tests" / "test_it.py").chmod(0o755)
    out = tmp_path / "out"
    proc = subprocess.run([python, str(INSTALLER), "--zip", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert (out / release_zip.name).read_bytes() == release_zip.read_bytes()


def test_extracting_the_release_zip_is_an_install(release_zip: Path, tmp_path: Path):
    plug_ins = tmp_path / "3.2" / "plug-ins"
    extract(release_zip, plug_ins)
    assert [p.name for p in plug_ins.iterdir()] == ["halloween-mask"]
    assert checks.check_layout(plug_ins / "halloween-mask") == []
    report = checks.check_with_python(plug_ins / "halloween-mask")
    assert report["errors"] == {} and report["from_bundle"]


# --- profile and GIMP discovery ------------------------------------------------------------


def make_dirs(home: Path, *relative: str) -> None:
    for rel in relative:
        (home / rel).mkdir(parents=True)


def make_files(root: Path, *relative: str) -> None:
    for rel in relative:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("#!/bin/sh\n")


def machine(tmp_path: Path, platform: str = "linux", **env: str) -> profiles.Machine:
    """A fake machine: home and file-system root inside ``tmp_path``, only ``env`` set."""
    (tmp_path / "home").mkdir(parents=True, exist_ok=True)
    return profiles.Machine(platform, env, tmp_path / "home", tmp_path / "root")


def found(fake: profiles.Machine) -> list[tuple[str, str]]:
    return [(p.kind, str(p.path.relative_to(fake.home))) for p in profiles.find_profiles(fake)]


def gimps(fake: profiles.Machine) -> list[tuple[str, str, str]]:
    return [(g.version, g.kind, g.executable.name) for g in profiles.installed_gimps(fake)]


def test_linux_native_flatpak_and_snap_profiles(tmp_path: Path):
    fake = machine(tmp_path)
    make_dirs(
        fake.home,
        ".config/GIMP/2.10",
        ".config/GIMP/3.0",
        ".config/GIMP/3.2",
        ".config/GIMP/3.10",
        ".config/GIMP/3.0-backup",
        ".var/app/org.gimp.GIMP/config/GIMP/3.0",
        "snap/gimp/current/.config/GIMP/3.0",
    )
    assert found(fake) == [
        ("Linux", ".config/GIMP/3.0"),
        ("Linux", ".config/GIMP/3.2"),
        ("Linux", ".config/GIMP/3.10"),
        ("Flatpak", ".var/app/org.gimp.GIMP/config/GIMP/3.0"),
        ("Snap", "snap/gimp/current/.config/GIMP/3.0"),
    ]


def test_linux_xdg_config_home(tmp_path: Path):
    fake = machine(tmp_path, XDG_CONFIG_HOME=str(tmp_path / "home" / "xdg"))
    make_dirs(fake.home, "xdg/GIMP/3.2", ".config/GIMP/3.0")
    assert found(fake) == [("Linux", "xdg/GIMP/3.2"), ("Linux", ".config/GIMP/3.0")]
    gimp = profiles.InstalledGimp("3.4", "Linux", Path("/usr/bin/gimp-3.4"))
    assert profiles.profile_of(gimp, fake).path == fake.home / "xdg" / "GIMP" / "3.4"


def test_macos_profiles(tmp_path: Path):
    fake = machine(tmp_path, "darwin")
    make_dirs(fake.home, "Library/Application Support/GIMP/3.0", ".config/GIMP/3.0")
    assert found(fake) == [("macOS", "Library/Application Support/GIMP/3.0")]


def test_windows_profiles(tmp_path: Path):
    fake = machine(tmp_path, "win32", APPDATA=str(tmp_path / "home" / "AppData" / "Roaming"))
    make_dirs(fake.home, "AppData/Roaming/GIMP/3.0", "AppData/Roaming/GIMP/3.2")
    assert found(fake) == [("Windows", "AppData/Roaming/GIMP/3.0"), ("Windows", "AppData/Roaming/GIMP/3.2")]


def test_microsoft_store_profiles_are_found_beside_the_native_ones(tmp_path: Path, capsys):
    local = tmp_path / "home" / "AppData" / "Local"
    fake = machine(tmp_path, "win32", LOCALAPPDATA=str(local))
    store = "AppData/Local/Packages/GIMP.GIMP_zn5wrdvqn7xje/LocalCache/Roaming/GIMP"
    make_dirs(fake.home, "AppData/Roaming/GIMP/3.0", f"{store}/3.2", "AppData/Local/Packages/Other.App_1/x")
    assert found(fake) == [("Windows", "AppData/Roaming/GIMP/3.0"), ("Microsoft Store", f"{store}/3.2")]
    assert cli.main(["--check"], fake) == 1
    out = capsys.readouterr().out
    assert f"GIMP 3.2 profile (Microsoft Store): {fake.home / store / '3.2'}" in out


def test_gimps_found_on_path_flatpak_and_snap(tmp_path: Path):
    fake = machine(tmp_path, PATH=f"{tmp_path / 'bin'}{os.pathsep}{tmp_path / 'empty'}")
    make_files(tmp_path, "bin/gimp-3.2", "bin/gimp-console-3.2", "bin/gimp", "bin/gimp-2.10", "bin/gimptool-3.0")
    make_files(fake.root, "var/lib/flatpak/app/org.gimp.GIMP/x86_64/stable/active/files/bin/gimp-3.0")
    make_files(fake.home, ".local/share/flatpak/app/org.gimp.GIMP/x86_64/beta/active/files/bin/gimp-3.2")
    make_files(fake.root, "snap/gimp/current/usr/bin/gimp-console-3.0")
    assert gimps(fake) == [
        ("3.2", "Linux", "gimp-3.2"),
        ("3.2", "Linux", "gimp-console-3.2"),
        ("3.2", "Flatpak", "gimp-3.2"),
        ("3.0", "Flatpak", "gimp-3.0"),
        ("3.0", "Snap", "gimp-console-3.0"),
    ]


def test_gimps_found_in_windows_and_macos_app_folders(tmp_path: Path):
    windows = machine(tmp_path / "w", "win32", PROGRAMFILES=str(tmp_path / "w" / "pf"))
    make_files(tmp_path / "w", "pf/GIMP 3/bin/gimp-3.0.exe", "pf/GIMP 3/bin/gimp-console-3.0.exe")
    make_files(tmp_path / "w", "pf/GIMP 2/bin/gimp-2.10.exe")
    assert gimps(windows) == [("3.0", "Windows", "gimp-3.0.exe"), ("3.0", "Windows", "gimp-console-3.0.exe")]
    mac = machine(tmp_path / "m", "darwin")
    app = mac.root / "Applications" / "GIMP.app" / "Contents"
    make_files(app, "MacOS/gimp")
    (app / "Info.plist").write_bytes(plistlib.dumps({"CFBundleShortVersionString": "3.2.6"}))
    assert gimps(mac) == [("3.2", "macOS", "gimp")]


def test_installs_into_every_profile_and_leaves_a_gimp_never_started_to_set_up_its_own(tmp_path: Path, capsys):
    fake = machine(tmp_path, PATH=str(tmp_path / "bin"))
    make_dirs(fake.home, ".config/GIMP/3.0", ".var/app/org.gimp.GIMP/config/GIMP/3.2")
    make_files(tmp_path, "bin/gimp-3.2")  # upgraded, not started yet: GIMP 3.2 migrates 3.0 when it first starts
    make_files(fake.root, "var/lib/flatpak/app/org.gimp.GIMP/x86_64/stable/active/files/bin/gimp-3.2")
    assert cli.main([], fake) == 0
    out = capsys.readouterr().out
    for profile in (".config/GIMP/3.0", ".var/app/org.gimp.GIMP/config/GIMP/3.2"):
        assert checks.plugin_state(fake.home / profile / "plug-ins" / "halloween-mask") == "current"
    assert sorted(p.name for p in (fake.home / ".config/GIMP").iterdir()) == ["3.0"], "a profile GIMP has to set up"
    assert "GIMP 3.2 profile (Linux)" in out and "installed but was never started" in out
    assert "GIMP 3.2 (Linux): start it once, then run this again" in out
    assert "GIMP 3.2 (Flatpak)" not in out
    assert cli.main(["--uninstall"], fake) == 0
    out = capsys.readouterr().out
    assert out.count("removed") == 2 and "never started" not in out


def test_only_a_gimp_never_started_installs_nothing_and_says_why(tmp_path: Path, capsys):
    fake = machine(tmp_path, PATH=str(tmp_path / "bin"))
    make_files(tmp_path, "bin/gimp-3.2")
    assert cli.main([], fake) == 1
    assert "GIMP 3.2 (Linux): start it once, then run this again" in capsys.readouterr().out
    assert list(fake.home.iterdir()) == []
    assert cli.main(["--check"], fake) == 1
    assert "start it once" in capsys.readouterr().out
    assert cli.main(["--uninstall"], fake) == 0
    assert "nothing to uninstall" in capsys.readouterr().out


def test_no_profile_is_created_for_a_gimp_that_is_not_installed(tmp_path: Path, capsys):
    fake = machine(tmp_path, PATH=str(tmp_path / "bin"))
    make_files(tmp_path, "bin/gimp-2.10")
    assert cli.main([], fake) == 1
    out = capsys.readouterr().out
    assert "No GIMP 3 found" in out and "https://www.gimp.org/downloads/" in out
    assert "--profile DIR" in out and "Preferences \u25b8 Folders \u25b8 Plug-ins" in out
    assert list(fake.home.iterdir()) == []
    assert cli.main(["--check"], fake) == 1
    assert "No GIMP 3 found" in capsys.readouterr().out


def test_check_names_each_profile_its_version_and_state(tmp_path: Path, capsys):
    fake = machine(tmp_path, PATH=str(tmp_path / "bin"))
    make_dirs(fake.home, ".config/GIMP/3.0", ".config/GIMP/3.2")
    make_files(fake.root, "var/lib/flatpak/app/org.gimp.GIMP/x86_64/stable/active/files/bin/gimp-3.2")
    bundle.install_into(fake.home / ".config/GIMP/3.0")
    bundle.install_into(fake.home / ".config/GIMP/3.2")
    (fake.home / ".config/GIMP/3.2/plug-ins/halloween-mask/halloween_mask_gimp/run.py").write_text("# older\n")
    assert cli.main(["--check"], fake) == 1
    captured = capsys.readouterr()
    sections = captured.out.split("GIMP 3.")[1:]
    assert sections[0].startswith("0 profile (Linux)") and "plug-in: current" in sections[0]
    assert sections[1].startswith("2 profile (Linux)") and "plug-in: outdated" in sections[1]
    assert sections[2].startswith("2 profile (Flatpak)") and "(not created yet)" in sections[2]
    assert "(not created yet)\n  skipped: " in sections[2] and "never started" in captured.out
    assert "GIMP 3.2 profile (Linux)" in captured.err and "outdated; update it" in captured.err
    assert "Flatpak" not in captured.err
    assert "GIMP 3.0 profile" not in captured.err


def test_check_without_gimp_says_the_gimp_check_was_skipped(tmp_path: Path, capsys):
    fake = machine(tmp_path, PATH=str(tmp_path / "bin"))
    make_dirs(fake.home, ".config/GIMP/3.2", ".var/app/org.gimp.GIMP/config/GIMP/3.0")
    make_files(tmp_path, "bin/gimp-3.2")  # the GUI binary only: no gimp-console-3.2 to check with
    for profile in (".config/GIMP/3.2", ".var/app/org.gimp.GIMP/config/GIMP/3.0"):
        bundle.install_into(fake.home / profile)
    assert cli.main(["--check"], fake) == 0
    out = capsys.readouterr().out
    assert "All checks passed" not in out
    assert "the check inside GIMP was skipped for:" in out
    assert f"GIMP 3.2 profile (Linux): {fake.home / '.config/GIMP/3.2'}: GIMP not found" in out
    assert "GIMP 3.0 profile (Flatpak)" in out and "the Flatpak GIMP is sandboxed" in out


def test_check_runs_the_profiles_own_gimp_console(tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch):
    fake = machine(tmp_path, PATH=str(tmp_path / "bin"))
    profiles = [f".config/GIMP/{v}" for v in ("3.0", "3.2", "3.4")] + [".var/app/org.gimp.GIMP/config/GIMP/3.4"]
    make_files(tmp_path, "bin/gimp-console-3.0", "bin/gimp-console-3.2")
    # A Flatpak's gimp-console runs only inside its sandbox: never picked for a check.
    make_files(fake.root, "var/lib/flatpak/app/org.gimp.GIMP/x86_64/beta/active/files/bin/gimp-console-3.4")
    for profile in profiles:
        bundle.install_into(fake.home / profile)
    ran = []

    def fake_gimp(profile, gimp, gimp_profile=None, plugin_in_profile="plug-ins/halloween-mask"):
        ran.append((profile.name, Path(gimp[0]).name))
        return {"python": "3.13", "errors": {}, "gimp": f"{profile.name}.9", "registered": True, "menu_paths": []}

    monkeypatch.setattr(cli, "check_with_gimp", fake_gimp)
    assert cli.main(["--check"], fake) == 0
    assert ran == [("3.0", "gimp-console-3.0"), ("3.2", "gimp-console-3.2")]
    out = capsys.readouterr().out
    assert f"GIMP 3.4 profile (Linux): {fake.home / profiles[2]}: GIMP not found" in out
    assert "the Flatpak GIMP is sandboxed" in out and "All checks passed" not in out
    ran.clear()
    assert cli.main(["--check", "--profile", str(fake.home / profiles[2])], fake) == 0
    assert ran == [] and "GIMP not found" in capsys.readouterr().out


@pytest.mark.skipif(os.name != "posix", reason="a shell script stands in for gimp-console")
def test_the_check_inside_gimp_reads_any_bytes_gimp_prints(tmp_path: Path):
    """GIMP's own messages (translated, or in a code page) may hold bytes that are not UTF-8."""
    gimp = tmp_path / "gimp-console-3.0"
    report = {"python": "3.13", "errors": {}, "gimp": "3.0.4", "registered": True, "menu_paths": []}
    gimp.write_bytes(
        b"#!/bin/sh\nprintf 'Warnung: \\374ber \\377\\n' >&2\n"
        + f"echo '{checks.CHECK_MARKER}{json.dumps(report)}' >&2\n".encode()
    )
    gimp.chmod(0o755)
    assert cli.check_with_gimp(tmp_path / "3.0", [str(gimp)]) == report
