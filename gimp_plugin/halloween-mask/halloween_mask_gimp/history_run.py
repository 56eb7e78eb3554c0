"""Filters ▸ AI ▸ Halloween Mask History…: a kept result back into the image, for free (issue 15 §3).

Interactively, the history dialog (``history_dialog``) picks the entry; from a script, the
argument ``entry`` names it (an id), or, empty, the newest result made from the same source
layer, else the newest of all. The result goes over the given layer as a fresh run's would
(``result.insert_results``: the layer's size, or the selection's box; a result of another
shape opens as a new image), named like one and with its provenance (carrying the entry id),
in one undo step. Nothing is sent anywhere.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import gi

gi.require_version("Gimp", "3.0")
from gi.repository import Gimp, Gio, GLib, GObject  # noqa: E402
from halloween_mask import tempfiles  # noqa: E402
from halloween_mask.errors import UsageError  # noqa: E402
from halloween_mask.history import History  # noqa: E402
from halloween_mask.history_entry import Entry  # noqa: E402
from halloween_mask.i18n import _  # noqa: E402
from halloween_mask.imageformat import read_image_info  # noqa: E402
from halloween_mask.placement import layer_name, provenance  # noqa: E402

from halloween_mask_gimp.kept import source_name, with_entry  # noqa: E402
from halloween_mask_gimp.log import log  # noqa: E402
from halloween_mask_gimp.provenance import label  # noqa: E402
from halloween_mask_gimp.registration import ANY_LAYERS, Call, add_result_layer, new_procedure  # noqa: E402
from halloween_mask_gimp.result import Labelled, insert_results  # noqa: E402
from halloween_mask_gimp.selection import selected_part  # noqa: E402
from halloween_mask_gimp.thumbs import keep_thumbnail  # noqa: E402

PROC_NAME = "python-fu-halloween-mask-history"
ENTRY_ARG = "entry"


class MissingEntryError(UsageError):
    """The caller named an entry the history does not have (a CALLING_ERROR)."""


def create(plug_in: Gimp.PlugIn, name: str) -> Gimp.Procedure:
    # Hi_story: H is the mnemonic of Halloween Mask... in the same menu
    procedure = new_procedure(plug_in, name, run, _("Halloween Mask Hi_story..."), ANY_LAYERS)
    procedure.set_documentation(
        _("Put a Halloween mask you already paid for back into the image, for free"),
        _(
            "Every result is kept in your data folder. Pick one (this image's or all) and Insert puts it as a "
            "new layer above the selected layer, placed as a new run's result would be; Save As, Delete and "
            "Clear all manage the history. From a script, 'entry' is the id (empty: the newest made from the "
            "same layer, else the newest of all)."
        ),
        name,
    )
    procedure.add_string_argument(
        ENTRY_ARG,
        _("_Entry"),
        _("The history entry's id (in a result layer's provenance); empty: the newest from this layer, else of all"),
        "",
        GObject.ParamFlags.READWRITE,
    )
    add_result_layer(procedure)
    return procedure


def run(call: Call) -> Gimp.ValueArray:
    procedure, run_mode, config, image = call.procedure, call.run_mode, call.config, call.image
    layer = next((d for d in call.drawables if isinstance(d, Gimp.Layer)), None)
    history = History.for_user()
    try:
        if run_mode == Gimp.RunMode.INTERACTIVE:
            from halloween_mask_gimp.history_dialog import choose_entry  # GimpUi only with a dialog

            entry = choose_entry(history, image, layer)
            if entry is None:
                return procedure.new_return_values(Gimp.PDBStatusType.CANCEL, None)
        else:
            entry = find_entry(history, config.get_property(ENTRY_ARG), image, layer)
        made = insert_entry(history, entry, image, layer, has_ui=run_mode != Gimp.RunMode.NONINTERACTIVE)
    except MissingEntryError as error:
        return procedure.new_return_values(Gimp.PDBStatusType.CALLING_ERROR, GLib.Error(str(error)))
    except (GLib.Error, OSError) as error:
        message = _("The kept result could not be inserted ({error}). Your image was not changed.")
        log(f"history: {error}")
        return procedure.new_return_values(
            Gimp.PDBStatusType.EXECUTION_ERROR, GLib.Error(message.format(error=getattr(error, "message", error)))
        )
    status = GObject.Value(Gimp.PDBStatusType, Gimp.PDBStatusType.SUCCESS)
    return Gimp.ValueArray.new_from_values([status, GObject.Value(Gimp.Layer, made)])


def find_entry(history: History, wanted: str, image: Gimp.Image, layer: Gimp.Layer | None) -> Entry:
    """The entry a script asked for: by id, or the newest from ``layer``, else the newest of all."""
    wanted = (wanted or "").strip()
    if wanted:
        entry = history.get(int(wanted)) if wanted.isdigit() and len(wanted) < 19 else None
        if entry is None:
            raise MissingEntryError(
                _("The history has no entry {entry}: give the id of a kept result (or leave it empty).").format(
                    entry=wanted
                )
            )
        return entry
    same = history.entries(limit=1, source=source_name(image, layer)) if layer is not None else []
    newest = same or history.entries(limit=1)
    if not newest:
        raise MissingEntryError(_("The history has no kept result yet: run Halloween Mask first."))
    return newest[0]


def insert_entry(
    history: History, entry: Entry, image: Gimp.Image, layer: Gimp.Layer | None, *, has_ui: bool
) -> Gimp.Layer:
    """Put ``entry``'s result over ``layer`` as a fresh run's would be (one undo step); returns the new layer."""
    images = history.images(entry.id)
    if not images:
        raise MissingEntryError(
            _("The history's entry {entry} is gone or damaged, so it was dropped.").format(entry=entry.id)
        )
    directory = Path(Gimp.temp_file("tmp").get_path()).parent
    files = []
    try:
        downloads = []
        for data in images:
            info = read_image_info(data)
            path = tempfiles.scratch_path(directory, info.extension)
            files.append(path)
            path.write_bytes(data)
            downloads.append((path, (info.width, info.height)))
        when = dt.datetime.fromtimestamp(entry.created, dt.timezone.utc)
        if layer is None:
            made = _as_new_image(entry, downloads[0][0], when)
        else:
            part, _missed = selected_part(image, layer)
            record = provenance(entry.style, entry.aspect_ratio, entry.task_id, when, part.box if part else None)
            labelled = Labelled(layer_name(entry.style), with_entry(record, entry.id), downloads)
            made = insert_results([labelled], image, layer, part=part)[0]
    finally:
        tempfiles.remove(*files)
    keep_thumbnail(history, entry.id, made)  # a result the command line kept gets its thumbnail here
    if has_ui and made.get_image() != image:
        Gimp.Display.new(made.get_image())
    Gimp.displays_flush()
    log(f"history: inserted entry {entry.id} as {made.get_name()!r} (task {entry.task_id}, no charge)")
    return made


def _as_new_image(entry: Entry, path: Path, when: dt.datetime) -> Gimp.Layer:
    """No layer to put it over: the result opens as a new untitled image (so "Save" does not aim at a temp file)."""
    new = Gimp.Image.new(1, 1, Gimp.ImageBaseType.RGB)
    new.undo_disable()
    layer = Gimp.file_load_layer(Gimp.RunMode.NONINTERACTIVE, new, Gio.File.new_for_path(str(path)))
    record = provenance(entry.style, entry.aspect_ratio, entry.task_id, when)
    label(layer, layer_name(entry.style), with_entry(record, entry.id))
    new.insert_layer(layer, None, 0)
    new.resize_to_layers()
    new.undo_enable()
    return layer
