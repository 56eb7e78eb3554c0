"""The release files (install.py --gex / --release) and where --check finds the plug-in."""

from __future__ import annotations

import hashlib
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
INSTALLER = REPO / "install" / "install.py"
sys.path.insert(0, str(INSTALLER.parent))

from hm_installer import bundle, cli, copies, layout, profiles, release  # noqa: E402
from hm_installer.errors import InstallError  # noqa: E402

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
