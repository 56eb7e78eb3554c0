"""Helpers for code that runs inside GIMP (gimp-console's python-fu-eval or a GUI session).

The harness (``gimp_runner``) copies this folder into the run's work folder, puts it on
``sys.path`` and runs one script from it as ``__main__``. Scripts import what they use from
here; they must raise on any failure (GIMP exits 0 even when a called plug-in fails).
"""

import json
import os
import time

from gi.repository import Gimp, Gio

HM_WORK = os.environ["HM_WORK"]
HM_REPORT = os.environ["HM_REPORT"]


def hm_params():
    """The parameters the host test passed (``params=`` of run_gimp_batch / gui_session)."""
    path = os.path.join(HM_WORK, "params.json")
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def hm_write_report(report):
    """Write the JSON report the host reads back (atomically)."""
    tmp = HM_REPORT + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2, default=str)
    os.replace(tmp, HM_REPORT)


def hm_path(name):
    """Path of a file in this run's work folder, as GIMP sees it."""
    return os.path.join(HM_WORK, name)


def hm_load(path):
    """Load an image file (path relative to the work folder or absolute)."""
    return Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, Gio.File.new_for_path(hm_path(path)))


def hm_save(image, path):
    """Save an image (XCF or by extension); raises when GIMP says no."""
    if not Gimp.file_save(Gimp.RunMode.NONINTERACTIVE, image, Gio.File.new_for_path(hm_path(path)), None):
        raise RuntimeError(f"saving {path} failed")


def hm_run(name, image=None, drawables=None, run_mode=Gimp.RunMode.NONINTERACTIVE, **args):
    """Call a PDB procedure; (status nick, error message or None, return values). Argument names may use _ for -."""
    proc = Gimp.get_pdb().lookup_procedure(name)
    if proc is None:
        raise RuntimeError(f"procedure {name} is not registered")
    config = proc.create_config()
    config.set_property("run-mode", run_mode)
    if image is not None:
        config.set_property("image", image)
    if drawables is not None:
        config.set_core_object_array("drawables", list(drawables))
    for key, value in args.items():
        config.set_property(key.replace("_", "-"), value)
    result = proc.run(config)
    status = result.index(0)
    if status == Gimp.PDBStatusType.SUCCESS:
        return status.value_nick, None, [result.index(i) for i in range(1, result.length())]
    message = result.index(1) if result.length() > 1 else None
    return status.value_nick, (str(message) if message is not None else None), []


def hm_call(name, image=None, drawables=None, run_mode=Gimp.RunMode.NONINTERACTIVE, **args):
    """Call a PDB procedure; (status nick, error message or None). Argument names may use _ for -."""
    return hm_run(name, image, drawables, run_mode, **args)[:2]


def hm_take_flag(name):
    """True once after the host has set flag ``name`` (it is removed here, so each setting is answered once)."""
    if not os.path.exists(hm_path(name)):
        return False
    os.remove(hm_path(name))
    return True


def hm_wait_flag(name, timeout=120.0):
    """Wait until the host creates the flag file ``name`` in the work folder (GUI sessions)."""
    end = time.monotonic() + timeout
    while not os.path.exists(hm_path(name)):
        if time.monotonic() > end:
            raise TimeoutError(f"flag {name} not set within {timeout} s")
        time.sleep(0.1)
