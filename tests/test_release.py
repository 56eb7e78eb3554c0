"""The release files (install.py --zip / --gex / --release) and where --check finds the plug-in."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import struct
import subprocess
import sys
import venv
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from hm_installer import bundle, checks, cli, copies, layout, profiles, release, wheels
from hm_installer.errors import InstallError
from installer_support import INSTALLER, run_installer
from zip_support import extract

ID = layout.EXTENSION_ID


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("release")
    proc = subprocess.run([sys.executable, str(INSTALLER), "--release", str(out)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "Manage Extensions" in proc.stdout and "sha256sum -c SHA256SUMS" in proc.stdout
    return out


def local_header_extra(archive: Path, info: zipfile.ZipInfo) -> bytes:
    """The extra field of an entry's local header (what a streaming unpacker reads)."""
    with archive.open("rb") as stream:
        stream.seek(info.header_offset)
        header = stream.read(30)
        name_length, extra_length = struct.unpack("<HH", header[26:30])
        stream.seek(info.header_offset + 30 + name_length)
        return stream.read(extra_length)


def test_release_holds_the_zip_the_gex_and_their_checksums(released: Path):
    version = bundle.client_version()
    names = sorted(p.name for p in released.iterdir())
    assert names == ["SHA256SUMS", f"halloween-mask-{version}-gimp3.zip", f"halloween-mask-{version}.gex"]
    sums = dict(reversed(line.split("  ")) for line in (released / "SHA256SUMS").read_text().splitlines())
    for name, digest in sums.items():
        assert hashlib.sha256((released / name).read_bytes()).hexdigest() == digest


def test_gex_is_the_plug_in_folder_under_the_extension_id_with_its_metainfo(released: Path):
    gex = next(released.glob("*.gex"))
    zipped = next(released.glob("*.zip"))
    with zipfile.ZipFile(gex) as ext, zipfile.ZipFile(zipped) as plain:
        ext_files = {i.filename: ext.read(i) for i in ext.infolist()}
        zip_files = {i.filename: plain.read(i) for i in plain.infolist()}
        metainfo = ext_files.pop(f"{ID}/{ID}.metainfo.xml")
    assert {name.removeprefix(f"{ID}/"): data for name, data in ext_files.items()} == zip_files
    component = ET.fromstring(metainfo)
    assert component.get("type") == "addon" and component.findtext("id") == ID
    assert component.findtext("extends") == "org.gimp.GIMP"
    assert component.find("releases/release").get("version") == bundle.client_version()
    required = component.find("requires/id")
    assert (required.text, required.get("version"), required.get("compare")) == ("org.gimp.GIMP", "3.0.0", "ge")
    assert component.findtext("name") and component.findtext("summary") and component.find("description/p") is not None
    plug_in_path = component.find("custom/value[@key='GIMP::plug-in-path']").text
    assert f"{ID}/{plug_in_path}" in ext_files


def test_every_entry_carries_its_unix_mode_in_the_local_header(released: Path):
    """GIMP unpacks a .gex with libarchive's streaming reader: the mode must be in the local header."""
    for archive in [*released.glob("*.gex"), *released.glob("*.zip")]:
        with zipfile.ZipFile(archive) as zipped:
            for info in zipped.infolist():
                extra = local_header_extra(archive, info)
                field_id, size, bitmap, _made_by, _internal, external = struct.unpack("<HHBHHI", extra[:13])
                assert (field_id, size, bitmap) == (release.XL_FIELD, 9, 7)
                assert external == info.external_attr, info.filename
                executable = info.filename.endswith("halloween-mask/halloween-mask.py")
                assert (external >> 16) & 0o777 == (0o755 if executable else 0o644), info.filename


def test_gex_bytes_depend_only_on_the_inputs(released: Path, tmp_path: Path):
    again = release.write_gex(tmp_path)
    assert again.read_bytes() == next(released.glob("*.gex")).read_bytes()


def test_a_version_without_a_changelog_entry_is_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    changelog = tmp_path / "CHANGELOG.md"
    changelog.write_text("# Changelog\n\n## [0.0.1] - 2020-01-01\n")
    monkeypatch.setattr("hm_installer.extension.CHANGELOG", changelog)
    with pytest.raises(InstallError, match=r"CHANGELOG\.md has no section"):
        release.write_gex(tmp_path / "out")


def profile_with(tmp_path: Path, *, plug_ins: bool, extension: str | None) -> profiles.Profile:
    """A profile holding the installer's copy and/or the extension, switched on or off."""
    profile = profiles.Profile(tmp_path / "3.2", "Linux")
    if plug_ins:
        bundle.install_into(profile.path)
    if extension:
        profile.extension_dir.mkdir(parents=True)
        (profile.extension_dir / "halloween-mask.py").write_text("#!/usr/bin/env python3\n")
        (profile.path / "extensionrc").write_text(f'(GimpExtension "{ID}"\n    (active {extension}))\n')
    return profile


@pytest.mark.parametrize(
    ("plug_ins", "extension", "runs", "says"),
    [
        (True, None, "plug-ins", []),
        (False, "yes", "extensions", ["GIMP runs the extension"]),
        (True, "yes", "extensions", ["GIMP runs the extension", "skips as a duplicate; remove it: python3"]),
        (True, "no", "plug-ins", ["no way to switch it on; GIMP runs the copy in plug-ins/"]),
        (False, "no", None, ["no way to switch it on; install into plug-ins/ instead: python3"]),
    ],
)
def test_check_says_which_copy_gimp_runs(tmp_path: Path, plug_ins, extension, runs, says):
    found = copies.copies_in(profile_with(tmp_path, plug_ins=plug_ins, extension=extension))
    assert (found.running.relative_to(tmp_path / "3.2").parts[0] if found.running else None) == runs
    assert len(found.notes) == len(says)
    for note, expected in zip(found.notes, says, strict=True):
        assert expected in note


def test_check_reports_both_copies(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    profile = profile_with(tmp_path, plug_ins=True, extension="yes")
    cli.main(["--check", "--profile", str(profile.path)])
    out = capsys.readouterr().out
    assert "note: GIMP runs the extension (.gex)" in out
    assert "plug-ins/ holds another copy" in out
    assert f"in extensions/{ID}/halloween-mask" in out


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
