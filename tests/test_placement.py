"""Where a result goes, what it is called, its provenance, and scratch-file sweeping."""

import json
import os
from datetime import datetime, timezone

import pytest
from halloween_mask import __version__, tempfiles
from halloween_mask.placement import PARASITE_NAME, Placement, layer_name, place_result, provenance, same_shape
from halloween_mask.region import Box


def test_a_result_of_the_same_shape_goes_over_the_source_at_its_size():
    assert place_result((5000, 3000), (4095, 2457)) == Placement("layer", 5000, 3000)
    assert place_result((512, 512), (1024, 1024)) == Placement("layer", 512, 512)


def test_a_result_of_another_shape_opens_as_a_new_image():
    assert place_result((512, 512), (1080, 1920)) == Placement("image", 1080, 1920)
    assert place_result((400, 300), (300, 400)) == Placement("image", 300, 400)


def test_new_image_can_be_forced():
    assert place_result((512, 512), (512, 512), new_image=True) == Placement("image", 512, 512)


def test_same_shape_tolerates_rounding_only():
    assert same_shape(5000, 3000, 4095, 2457)
    assert same_shape(1000, 1000, 1000, 1015)
    assert not same_shape(1000, 1000, 1000, 1100)


def test_layer_names():
    assert layer_name(7) == "Halloween Mask 7"
    assert layer_name(None) == "Halloween Mask (template)"


def test_provenance_records_what_made_the_layer_and_nothing_secret():
    when = datetime(2026, 10, 31, 23, 59, 1, tzinfo=timezone.utc)
    record = json.loads(provenance(7, "auto", "task-1", when))
    assert record == {
        "generator": "AI Halloween Mask (AILabTools)",
        "style": 7,
        "aspect_ratio": "auto",
        "task_id": "task-1",
        "region": None,
        "created": "2026-10-31T23:59:01Z",
        "plugin_version": __version__,
    }
    assert json.loads(provenance(None, "1:1", "t"))["style"] == "template"
    region = json.loads(provenance(3, "auto", "t", region=Box(10, 20, 300, 400)))["region"]
    assert region == {"x": 10, "y": 20, "width": 300, "height": 400}
    assert "key" not in provenance(None, "1:1", "t").decode().lower()
    assert PARASITE_NAME == "halloween-mask-provenance"


def test_scratch_paths_are_unique_and_carry_the_pid(tmp_path):
    first, second = tempfiles.scratch_path(tmp_path, "png"), tempfiles.scratch_path(tmp_path, "jpg")
    assert first != second
    assert first.name.startswith(f"halloween-mask-{os.getpid()}-") and second.suffix == ".jpg"


def test_sweep_removes_files_of_dead_processes_only(tmp_path):
    dead = tmp_path / "halloween-mask-111-1.png"
    alive = tmp_path / "halloween-mask-222-1.jpg"
    mine = tempfiles.scratch_path(tmp_path, "png")
    other = tmp_path / "gimp-temp-1.png"
    for path in (dead, alive, mine, other):
        path.write_bytes(b"x")
    stale = tempfiles.stale_files(tmp_path, alive=lambda pid: pid == 222)
    assert stale == [dead]


def test_sweep_falls_back_to_age_where_liveness_is_unknown(tmp_path):
    old, new = tmp_path / "halloween-mask-1-1.png", tmp_path / "halloween-mask-2-1.png"
    for path in (old, new):
        path.write_bytes(b"x")
    os.utime(old, (0, 0))
    assert tempfiles.stale_files(tmp_path, alive=lambda pid: None) == [old]


@pytest.mark.skipif(os.name != "posix", reason="liveness by signal 0 is POSIX only")
def test_sweep_for_real(tmp_path):
    dead = tmp_path / "halloween-mask-999999999-1.png"
    dead.write_bytes(b"x")
    assert tempfiles.sweep(tmp_path) == 1
    assert not dead.exists()
    assert tempfiles.sweep(tmp_path / "missing") == 0
    tempfiles.remove(dead, None)
