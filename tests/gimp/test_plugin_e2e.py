"""The plug-in end to end in a real GIMP 3: installed by the installer, called through the PDB.

Each test is one headless GIMP run that batches several checks and writes a JSON report; the
emulator runs in this process on 127.0.0.1 and records what the plug-in sent.
"""

from __future__ import annotations

import re

import pytest
from gimp_runner import GimpProfile
from plugin_batch import PLUGIN_LIB, PORTRAIT, SECRET_KEY, plugin_env

# What the plug-in imports from the shared package (besides what the client imports itself).
PLUGIN_MODULES = (
    "upload_plan",
    "placement",
    "region",
    "tempfiles",
    "timing",
    "pending",
    "variants",
    "previews",
    "favourites",
    "cost",
)


pytestmark = pytest.mark.usefixtures("fresh_emulator")


@pytest.fixture(scope="module")
def profile(gimp_profile: GimpProfile) -> GimpProfile:
    """The session's profile, with the plug-in installed by the real installer."""
    return gimp_profile


def run_plugin(run_gimp_batch, emu, profile, code, *, key_in_env=True, files=None, **env):
    """Run batch ``code`` (after PLUGIN_LIB) with the plug-in pointed at the emulator."""
    settings = f"{profile.home_inside}/halloween-mask-settings.json"
    environment = plugin_env(emu.base_url, settings, key_in_env=key_in_env, **env)
    return run_gimp_batch(
        PLUGIN_LIB + code, environment, files={"portrait.png": PORTRAIT, **(files or {})}, profile=profile
    )


def assert_no_traceback(log: str) -> None:
    plugin_lines = [line for line in log.splitlines() if "halloween" in line.lower()]
    assert "Traceback" not in log, log[-4000:]
    assert not any("unexpected error" in line for line in plugin_lines), log[-4000:]


def test_installed_bundle_has_every_module_the_plugin_imports(gimp_profile):
    vendor = gimp_profile.plugin_dir / "vendor" / "halloween_mask"
    missing = [name for name in PLUGIN_MODULES if not (vendor / f"{name}.py").is_file()]
    assert not missing, f"install/install.py does not bundle halloween_mask modules the plug-in needs: {missing}"


PORTRAIT_RUN = r"""
image = hm_load("portrait.png")
source = image.get_layers()[0]
before = digest(source)
proc = Gimp.get_pdb().lookup_procedure(PROC)
status, message = call(image, source, mask_style="mask-7", aspect_ratio="auto")
layers = image.get_layers()
report = {
    "args": [a.name for a in proc.get_arguments()],
    "menu": list(proc.get_menu_paths()),
    "status": status, "message": message,
    "names": names(image),
    "new": info(layers[0]), "source": info(source),
    "source_same": digest(source) == before,
    "changed": changed_box(source, layers[0]),
    "dirty": image.is_dirty(),
    "scratch_left": scratch_left(),
}
hm_save(image, "result.xcf")
image.delete()
# The saved file keeps the layer and its provenance.
reloaded = hm_load("result.xcf")
report["reloaded"] = names(reloaded)
report["reloaded_provenance"] = info(reloaded.get_layers()[0])["provenance"]
reloaded.delete()
# Two layers selected, and a template style without a file: CALLING_ERROR, nothing changed.
image = hm_load("portrait.png")
extra = Gimp.Layer.new_from_drawable(image.get_layers()[0], image)
image.insert_layer(extra, None, 0)
image.clean_all()
report["two_layers"] = hm_call(PROC, image, [], mask_style="mask-1")  # no layer: several are fine (issue 16)
report["no_template"] = call(image, extra, mask_style="template")
emulator({"api_keys": ["another-key"]})  # the key in GIMP's environment is refused
report["env_key_refused"] = call(image, extra, mask_style="mask-1")
report["after_bad_calls"] = [names(image), image.is_dirty()]
image.delete()
hm_write_report(report)
"""


def test_portrait_gets_a_masked_layer_above_the_source(run_gimp_batch, emu, profile):
    result = run_plugin(run_gimp_batch, emu, profile, PORTRAIT_RUN)
    report = result.report
    assert report["status"] == "success", report["message"]
    assert report["menu"] == ["<Image>/Filters/AI"]
    # New arguments come last, so scripts that pass arguments by position keep working.
    assert report["args"][3:] == [
        "mask-style",
        "template",
        "aspect-ratio",
        "placement",
        "deadline",
        "source",
        "template-layer",
        "reuse",
    ]

    new, source = report["new"], report["source"]
    assert report["names"] == ["Halloween Mask 7", source["name"]]
    assert new["size"] == source["size"] == [512, 512]
    assert new["offsets"] == source["offsets"] == [0, 0]
    assert new["parent"] is None and new["position"] == 0 and source["position"] == 1
    assert new["selected"] == [source["name"]], "the source is not the selected layer after the run"
    assert report["source_same"], "the source layer's pixels changed"
    assert report["dirty"]

    ((task_id, task),) = emu.tasks.items()
    assert task.mask_style == 7 and task.aspect_ratio == "auto" and task.image_size == (512, 512)
    provenance = new["provenance"]
    assert provenance["style"] == 7 and provenance["task_id"] == task_id and provenance["aspect_ratio"] == "auto"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", provenance["created"])
    assert new["parasite_flags"] & 1, "the provenance parasite is not persistent"
    assert report["reloaded"] == report["names"] and report["reloaded_provenance"] == provenance

    # The mask sits on the face the emulator found: the changed region overlaps the face box.
    face = task.face_box
    x, y, w, h, centre_x, centre_y = report["changed"]
    assert face.x <= centre_x <= face.x + face.w and face.y <= centre_y <= face.y + face.h
    overlap_w = min(x + w, face.x + face.w) - max(x, face.x)
    overlap_h = min(y + h, face.y + face.h) - max(y, face.y)
    assert overlap_w > 0.6 * face.w and overlap_h > 0.6 * face.h, (report["changed"], face)
    assert w * h < 0.25 * 512 * 512, "the mask is not confined to the face"

    submit = [r for r in emu.requests_to("submit") if r.status == 200]
    assert len(submit) == 1 and 0 < submit[0].file_sizes["image"] < 10_000_000
    assert report["scratch_left"] == []

    assert report["two_layers"][0] == "calling-error" and "No layer is selected" in report["two_layers"][1]
    assert report["no_template"][0] == "calling-error" and "template" in report["no_template"][1]
    status, message = report["env_key_refused"]
    assert status == "execution-error" and "rejected" in message and "AILAB_API_KEY" in message
    layer_names, dirty = report["after_bad_calls"]
    assert len(layer_names) == 2 and not any(name.startswith("Halloween") for name in layer_names) and not dirty
    assert len(emu.tasks) == 1, "a bad call reached the service"

    # The key is nowhere in the saved XCF or GIMP's log. (Non-interactive runs write no
    # last-values file; test_plugin_gui checks the one an interactive run writes.)
    assert SECRET_KEY.encode() not in (result.work / "result.xcf").read_bytes()
    assert SECRET_KEY not in result.log
    assert_no_traceback(result.log)


LAYER_KINDS_RUN = r"""
report = {}

def check(label, image, source, **args):
    before_names = names(image)
    before = digest(source)
    status, message = call(image, source, mask_style="mask-12", reuse=False, **args)  # each kind is sent
    parent = source.get_parent()
    siblings = parent.get_children() if parent else image.get_layers()
    index = siblings.index(source)
    new = siblings[index - 1] if index > 0 else None
    report[label] = {
        "status": status, "message": message,
        "source": info(source), "new": info(new) if new is not None else None,
        "source_same": digest(source) == before,
        "added": len(names(image)) - len(before_names) if parent is None else len(siblings),
        "base_type": image.get_base_type().value_nick,
        "precision": image.get_precision().value_nick,
    }
    image.delete()

# An offset layer inside a group, with a layer above it in the group.
portrait = hm_load("portrait.png")
image = Gimp.Image.new(700, 640, Gimp.ImageBaseType.RGB)
background = Gimp.Layer.new(image, "bg", 700, 640, Gimp.ImageType.RGB_IMAGE, 100, Gimp.LayerMode.NORMAL)
image.insert_layer(background, None, 0)
group = Gimp.GroupLayer.new(image, "Group")
image.insert_layer(group, None, 0)
layer = Gimp.Layer.new_from_drawable(portrait.get_layers()[0], image)
layer.set_name("face")
image.insert_layer(layer, group, 0)
layer.set_offsets(120, 90)
top = Gimp.Layer.new(image, "top", 50, 50, Gimp.ImageType.RGBA_IMAGE, 100, Gimp.LayerMode.NORMAL)
image.insert_layer(top, group, 0)
portrait.delete()
check("group", image, layer)

image = hm_load("portrait.png")
image.convert_grayscale()
check("grayscale", image, image.get_layers()[0])

image = hm_load("portrait.png")
image.convert_indexed(Gimp.ConvertDitherType.NONE, Gimp.ConvertPaletteType.GENERATE, 64, False, False, "")
check("indexed", image, image.get_layers()[0])

image = hm_load("portrait.png")
image.convert_precision(Gimp.Precision.U16_NON_LINEAR)
check("16-bit", image, image.get_layers()[0])

image = hm_load("portrait.png")
image.convert_precision(Gimp.Precision.FLOAT_LINEAR)
check("32-bit float", image, image.get_layers()[0])

# A layer with real transparency: clear the corners outside an ellipse.
image = hm_load("portrait.png")
layer = image.get_layers()[0]
layer.add_alpha()
image.select_ellipse(Gimp.ChannelOps.REPLACE, 40, 20, 432, 480)
Gimp.Selection.invert(image)
layer.edit_clear()
Gimp.Selection.none(image)
check("alpha", image, layer)
report["scratch_left"] = scratch_left()
hm_write_report(report)
"""


def test_every_layer_kind(run_gimp_batch, emu, profile):
    result = run_plugin(run_gimp_batch, emu, profile, LAYER_KINDS_RUN)
    report = result.report
    for label in ("group", "grayscale", "indexed", "16-bit", "32-bit float", "alpha"):
        case = report[label]
        assert case["status"] == "success", (label, case["message"])
        assert case["source_same"], f"{label}: the source layer's pixels changed"
        new, source = case["new"], case["source"]
        assert new["name"] == "Halloween Mask 12", label
        assert new["size"] == source["size"] and new["offsets"] == source["offsets"], label
        assert new["parent"] == source["parent"] and new["position"] == source["position"] - 1, label
        assert new["selected"] == [source["name"]], label
    assert report["group"]["source"]["offsets"] == [120, 90] and report["group"]["new"]["parent"] == "Group"
    assert report["group"]["added"] == 3  # top, the new layer, face
    assert report["indexed"]["base_type"] == "indexed" and report["16-bit"]["precision"] == "u16-non-linear"

    uploads = [r.file_sizes["image"] for r in emu.requests_to("submit")]
    assert len(uploads) == 6 and len(emu.tasks) == 6
    assert all(task.image_size == (512, 512) for task in emu.tasks.values())
    assert report["scratch_left"] == []
    assert_no_traceback(result.log)


def test_upload_formats(run_gimp_batch, emu, profile):
    """Opaque layers go as JPEG, a transparent one as PNG (seen from the emulator's side)."""
    code = r"""
image = hm_load("portrait.png")
status_opaque = call(image, image.get_layers()[0], mask_style="mask-2")
layer = image.get_layers()[1]
layer.add_alpha()   # an alpha channel that is opaque everywhere: still a JPEG
status_alpha_opaque = call(image, layer, mask_style="mask-2")
image.select_rectangle(Gimp.ChannelOps.REPLACE, 0, 0, 100, 100)
layer.edit_clear()
Gimp.Selection.none(image)
status_transparent = call(image, layer, mask_style="mask-2")
image.delete()
hm_write_report({"status": [status_opaque, status_alpha_opaque, status_transparent]})
"""
    result = run_plugin(run_gimp_batch, emu, profile, code)
    assert [s[0] for s in result.report["status"]] == ["success"] * 3, result.report
    formats = re.findall(r"uploading \d+x\d+ (\w+)", result.log)
    assert formats == ["jpeg", "jpeg", "png"], result.log[-3000:]


SHAPES_RUN = r"""
report = {}
portrait = hm_load("portrait.png")

# A 5000x3000 layer with the portrait in the middle: fitted for upload, the result scaled back.
image = Gimp.Image.new(5000, 3000, Gimp.ImageBaseType.RGB)
big = Gimp.Layer.new(image, "big", 5000, 3000, Gimp.ImageType.RGB_IMAGE, 100, Gimp.LayerMode.NORMAL)
image.insert_layer(big, None, 0)
big.fill(Gimp.FillType.WHITE)
face = Gimp.Layer.new_from_drawable(portrait.get_layers()[0], image)
image.insert_layer(face, None, 0)
face.scale(2800, 2800, False)
face.set_offsets(1100, 100)
big = image.merge_down(face, Gimp.MergeType.CLIP_TO_BOTTOM_LAYER)
big.set_name("big")
image.clean_all()
before = digest(big)
start = time.monotonic()
report["big"] = {"status": call(image, big, mask_style="mask-3"), "seconds": time.monotonic() - start,
                 "new": info(image.get_layers()[0]), "source": info(big), "source_same": digest(big) == before}
image.delete()

# A template image instead of a style (a WEBP the plug-in must pass through as is).
image = hm_load("portrait.png")
source = image.get_layers()[0]
report["template"] = {"status": call(image, source, mask_style="template",
                                     template=Gio.File.new_for_path(hm_path("template.png"))),
                      "new": info(image.get_layers()[0])}
image.delete()

# A fixed aspect ratio the source does not have: a new image; the source image untouched.
image = hm_load("portrait.png")
image.clean_all()  # a freshly loaded image counts as dirty in batch mode
source = image.get_layers()[0]
known = images()
report["ratio"] = {"status": call(image, source, mask_style="mask-5", aspect_ratio="9x16"),
                   "names": names(image), "dirty": image.is_dirty()}
new_images = list(images() - known)
report["ratio"]["new_images"] = [[i.get_width(), i.get_height(), names(i), i.is_dirty()] for i in new_images]
report["ratio"]["new"] = info(new_images[0].get_layers()[0]) if new_images else None
for extra in new_images:
    extra.delete()

# The same shape, but placement "new-image" asked for.
known = images()
report["forced"] = {"status": call(image, source, mask_style="mask-5", placement="new-image"),
                    "names": names(image)}
new_images = list(images() - known)
report["forced"]["new_images"] = [[i.get_width(), i.get_height(), names(i)] for i in new_images]
for extra in new_images:
    extra.delete()
image.delete()
portrait.delete()
report["scratch_left"] = scratch_left()
hm_write_report(report)
"""


def test_big_layer_template_and_new_image(run_gimp_batch, emu, profile):
    template = PORTRAIT.read_bytes()
    result = run_plugin(run_gimp_batch, emu, profile, SHAPES_RUN, files={"template.png": template})
    report = result.report
    tasks = list(emu.tasks.values())

    big = report["big"]
    assert big["status"][0] == "success", big["status"]
    assert big["new"]["size"] == big["source"]["size"] == [5000, 3000] and big["new"]["offsets"] == [0, 0]
    assert big["source_same"]
    assert tasks[0].image_size == (4095, 2457), "the upload was not fitted to the 4095 px limit"

    template_case = report["template"]
    assert template_case["status"][0] == "success", template_case["status"]
    assert template_case["new"]["name"] == "Halloween Mask (template)"  # an older script's mask-style "template"
    assert template_case["new"]["provenance"]["style"] == "template"
    assert tasks[1].template_used and tasks[1].mask_style is None
    submit = [r for r in emu.requests_to("submit") if r.status == 200][1]
    assert submit.file_sizes.get("image_template") == len(template), "the template was re-encoded needlessly"

    ratio = report["ratio"]
    assert ratio["status"][0] == "success", ratio["status"]
    assert len(ratio["names"]) == 1 and not ratio["dirty"], "the source image changed"
    ((width, height, layer_names, _dirty),) = ratio["new_images"]
    assert abs(width / height - 9 / 16) < 0.01 and layer_names == ["Halloween Mask 5"]
    assert ratio["new"]["provenance"]["aspect_ratio"] == "9:16"
    assert tasks[2].aspect_ratio == "9:16"

    forced = report["forced"]
    assert forced["status"][0] == "success" and len(forced["names"]) == 1
    assert forced["new_images"] == [[512, 512, ["Halloween Mask 5"]]]
    assert report["scratch_left"] == []
    assert_no_traceback(result.log)


ERRORS_RUN = r"""
report = {}
settings = os.environ["HALLOWEEN_MASK_SETTINGS"]


def store_key(key):
    os.makedirs(os.path.dirname(settings), exist_ok=True)
    fd = os.open(settings, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"api_key": key}, handle)


def attempt(label, image, layer, **args):
    before_names, before = names(image), digest(layer)
    start = time.monotonic()
    status, message = call(image, layer, **args)
    report[label] = {"status": status, "message": message, "seconds": time.monotonic() - start,
                     "unchanged": names(image) == before_names and digest(layer) == before,
                     "dirty": image.is_dirty(), "scratch_left": scratch_left()}


image = hm_load("portrait.png")
layer = image.get_layers()[0]
image.clean_all()
if os.path.exists(settings):
    os.unlink(settings)
attempt("no_key", image, layer, mask_style="mask-1")
store_key("not-the-right-key")
attempt("bad_key", image, layer, mask_style="mask-1")
store_key(os.environ["HM_GOOD_KEY"])
emulator({"credits": 0})
attempt("no_credits", image, layer, mask_style="mask-1")
emulator({"credits": 10000, "failure": "poll_error"})
attempt("server_500", image, layer, mask_style="mask-1")
emulator({"failure": None, "processing_seconds": 30.0})
attempt("timeout", image, layer, mask_style="mask-1", deadline=2)
emulator({"processing_seconds": 0.0})
blank = Gimp.Image.new(400, 300, Gimp.ImageBaseType.RGB)
plain = Gimp.Layer.new(blank, "plain", 400, 300, Gimp.ImageType.RGB_IMAGE, 100, Gimp.LayerMode.NORMAL)
blank.insert_layer(plain, None, 0)
blank.clean_all()
attempt("no_face", blank, plain, mask_style="mask-1")
blank.delete()
# After all that, a normal run still works.
attempt("recovered", image, layer, mask_style="mask-1")
image.delete()
hm_write_report(report)
"""

EXPECTED_ERRORS = {
    "no_key": ("calling-error", "No AILabTools API key is configured"),
    "bad_key": ("execution-error", "The API key was rejected"),
    "no_credits": ("execution-error", "out of API credits"),
    "server_500": ("execution-error", "had an internal problem"),
    "timeout": ("execution-error", "did not finish in time"),
    "no_face": ("execution-error", "No usable face was found"),
}


def test_errors_leave_the_image_as_it_was(run_gimp_batch, emu, profile):
    result = run_plugin(run_gimp_batch, emu, profile, ERRORS_RUN, key_in_env=False, HM_GOOD_KEY=SECRET_KEY)
    report = result.report
    for label, (status, words) in EXPECTED_ERRORS.items():
        case = report[label]
        assert case["status"] == status, (label, case)
        assert words in case["message"], (label, case["message"])
        assert case["unchanged"] and not case["dirty"], f"{label}: the image or its undo history changed"
        assert case["scratch_left"] == [], f"{label}: temp files left: {case['scratch_left']}"
        assert "Traceback" not in case["message"]
    assert "AILAB_API_KEY" in report["no_key"]["message"]
    assert report["timeout"]["seconds"] < 15
    assert report["recovered"]["status"] == "success"
    assert SECRET_KEY not in result.log and "not-the-right-key" not in result.log
    assert_no_traceback(result.log)


REPEAT_RUN = r"""
image = hm_load("portrait.png")
source = image.get_layers()[0]
image.clean_all()
before = images()
status, message = call(image, source, run_mode=Gimp.RunMode.WITH_LAST_VALS)
new = images() - before
report = {"status": status, "message": message, "names": names(image), "dirty": image.is_dirty(),
          "new": [names(i) for i in new], "new_size": [[i.get_width(), i.get_height()] for i in new]}
for i in new:
    i.delete()
image.delete()
hm_write_report(report)
"""

LAST_VALUES = """# settings

(mask-style "mask-5")
(template NULL)
(aspect-ratio "auto")
(placement "new-image")
(deadline 600)

# end of settings
"""


def test_repeat_last_uses_the_remembered_values_even_without_windows(run_gimp_batch, emu, profile):
    last = profile.host / "plug-in-settings" / "GimpProcedureConfigRun-python-fu-halloween-mask.last"
    last.parent.mkdir(exist_ok=True)
    last.write_text(LAST_VALUES)  # as an interactive run with these choices leaves it
    try:
        report = run_plugin(run_gimp_batch, emu, profile, REPEAT_RUN).report
    finally:
        last.unlink()  # the GUI tests share this profile and expect GIMP's defaults
    assert report["status"] == "success", report["message"]
    assert [task.mask_style for task in emu.tasks.values()] == [5]
    assert report["new"] == [["Halloween Mask 5"]] and report["new_size"] == [[512, 512]]
    assert report["names"] == ["Background"] and not report["dirty"]


def test_repeat_last_without_a_key_or_a_display_says_how_to_configure_one(run_gimp_batch, emu, profile):
    code = """
image = hm_load("portrait.png")
image.clean_all()
report = call(image, image.get_layers()[0], run_mode=Gimp.RunMode.WITH_LAST_VALS)
report = [*report, names(image), image.is_dirty()]
image.delete()
hm_write_report({"result": report})
"""
    result = run_plugin(
        run_gimp_batch,
        emu,
        profile,
        code,
        key_in_env=False,
        HALLOWEEN_MASK_SETTINGS="/nonexistent/halloween-mask-settings.json",
    )
    status, message, layer_names, dirty = result.report["result"]
    assert status == "calling-error" and "AILAB_API_KEY" in message, message
    assert layer_names == ["Background"] and not dirty and not emu.tasks
    assert_no_traceback(result.log)


DRIPPED_RUN = r"""
import time
image = hm_load("portrait.png")
layer = image.get_layers()[0]
image.clean_all()
start = time.monotonic()
status, message = call(image, layer, mask_style="mask-1", deadline=2)
hm_write_report({"status": status, "message": message, "seconds": time.monotonic() - start,
                 "layers": len(image.get_layers()), "dirty": image.is_dirty()})
image.delete()
"""


def test_wait_at_most_holds_when_the_service_answers_a_byte_at_a_time(run_gimp_batch, profile):
    from client_support import POLL, drip_server, fake_service

    with drip_server() as server:
        fake_service(server, PORTRAIT.read_bytes(), slow=POLL, per_byte=0.1)  # the answer alone: 15 s
        result = run_plugin(run_gimp_batch, server, profile, DRIPPED_RUN)
    report = result.report
    assert report["status"] == "execution-error" and "did not finish in time" in report["message"]
    assert report["seconds"] < 6, f"a 2 s 'Wait at most' took {report['seconds']:.1f} s"
    assert report["layers"] == 1 and not report["dirty"]
    assert_no_traceback(result.log)
