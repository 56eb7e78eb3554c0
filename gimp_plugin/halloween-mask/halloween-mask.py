#!/usr/bin/env python3
"""AI Halloween Mask for GIMP 3: paints a Halloween mask over the face in the selected layer.

Filters > AI > Halloween Mask... exports the layer, sends it to the AILabTools service through
the shared ``halloween_mask`` client, and puts the result in a new layer above the source.
The API key is never a procedure argument: it comes from ``AILAB_API_KEY`` or the client's
0600 settings file, so it never reaches GIMP's last-values files or an XCF parasite.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

# Bundled pure-Python dependencies and the shared client, placed here by the installer.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "vendor"))

import gi

gi.require_version("Gimp", "3.0")
from gi.repository import Gimp, GLib, GObject  # noqa: E402
from halloween_mask.styles import ASPECT_RATIOS, STYLES  # noqa: E402

if TYPE_CHECKING:
    from collections.abc import Iterator

    from halloween_mask.client import Client, Progress
    from halloween_mask.errors import AuthError

PROC_NAME = "python-fu-halloween-mask"
LOG_PREFIX = "[halloween-mask]"
TEMPLATE = "template"
TIMINGS_ENV = "HALLOWEEN_MASK_TIMINGS"  # a file to append one JSON line of timings per run (benchmark)


class UsageError(Exception):
    """The caller's fault (arguments, selection, configuration): reported as CALLING_ERROR."""


def _choice(entries: list[tuple[str, str, str]]) -> Gimp.Choice:
    choice = Gimp.Choice.new()
    for index, (nick, label, help_text) in enumerate(entries):
        choice.add(nick, index, label, help_text)
    return choice


def _ratio_nick(ratio: str) -> str:
    return ratio.replace(":", "x")  # "3:4" -> "3x4": nicks are plain words


class HalloweenMask(Gimp.PlugIn):
    def do_query_procedures(self) -> list[str]:
        return [PROC_NAME]

    def do_set_i18n(self, name: str) -> bool:
        return False

    def do_create_procedure(self, name: str) -> Gimp.Procedure:
        procedure = Gimp.ImageProcedure.new(self, name, Gimp.PDBProcType.PLUGIN, run, None)
        procedure.set_image_types("*")
        procedure.set_sensitivity_mask(Gimp.ProcedureSensitivityMask.DRAWABLE)
        procedure.set_menu_label("_Halloween Mask...")
        procedure.add_menu_path("<Image>/Filters/AI")
        procedure.set_documentation(
            "Paint an AI Halloween mask over the face in the selected layer",
            "Uploads the selected layer to the AILabTools AI Halloween Mask service and puts the result "
            "in a new layer above it (or in a new image when the aspect ratio changes). The API key comes "
            "from AILAB_API_KEY or the Halloween Mask settings file; a first interactive run asks for it.",
            name,
        )
        procedure.set_attribution("AI Halloween Mask contributors", "GPL-3.0-or-later", "2026")

        styles = [(f"mask-{s.number}", s.label, f"Mask style {s.number}") for s in STYLES]
        styles.append((TEMPLATE, "Use a template image", "Use the mask in the template image file"))
        procedure.add_choice_argument(
            "mask-style",
            "Mask st_yle",
            "Mask style 1-85, or 'template'",
            _choice(styles),
            "mask-1",
            GObject.ParamFlags.READWRITE,
        )
        procedure.add_file_argument(
            "template",
            "_Template image",
            "Template image (JPEG, PNG, WEBP) when the style is 'template'",
            Gimp.FileChooserAction.OPEN,
            True,
            None,
            GObject.ParamFlags.READWRITE,
        )
        ratios = [
            (_ratio_nick(r), "Auto (as the source)" if r == "auto" else r, f"Aspect ratio {r}") for r in ASPECT_RATIOS
        ]
        procedure.add_choice_argument(
            "aspect-ratio",
            "_Aspect ratio",
            "Aspect ratio of the result",
            _choice(ratios),
            "auto",
            GObject.ParamFlags.READWRITE,
        )
        places = [
            ("auto", "New layer above the source", "A new image only when the result has another shape"),
            ("new-image", "New image", "Always open the result as a new image"),
        ]
        procedure.add_choice_argument(
            "placement",
            "_Put the result in",
            "Where the result goes",
            _choice(places),
            "auto",
            GObject.ParamFlags.READWRITE,
        )
        procedure.add_int_argument(
            "deadline",
            "_Wait at most (seconds)",
            "Give up waiting for the service after this many seconds",
            1,
            3600,
            600,
            GObject.ParamFlags.READWRITE,
        )
        procedure.add_layer_return_value(
            "result-layer",
            "Result layer",
            "The new layer (its image may be a new one)",
            True,
            GObject.ParamFlags.READWRITE,
        )
        return procedure


def run(
    procedure: Gimp.Procedure,
    run_mode: Gimp.RunMode,
    image: Gimp.Image,
    drawables: list[Gimp.Drawable],
    config: Gimp.ProcedureConfig,
    data: object,
) -> Gimp.ValueArray:
    """Validate, show the dialog when interactive, then do the work on this (the main) thread."""
    try:
        if len(drawables) != 1 or not isinstance(drawables[0], Gimp.Layer):
            raise UsageError("Select exactly one layer, then run Halloween Mask again.")
        if run_mode == Gimp.RunMode.INTERACTIVE and not _show_dialog(procedure, config):
            return procedure.new_return_values(Gimp.PDBStatusType.CANCEL, None)
        layer = HalloweenMaskRun(config, run_mode).apply(image, drawables[0])
    except UsageError as error:
        return _failure(procedure, Gimp.PDBStatusType.CALLING_ERROR, str(error))
    except Exception as error:
        from halloween_mask.errors import HalloweenMaskError, SettingsError

        if isinstance(error, SettingsError):
            return _failure(procedure, Gimp.PDBStatusType.CALLING_ERROR, str(error))
        if isinstance(error, HalloweenMaskError):
            return _failure(procedure, Gimp.PDBStatusType.EXECUTION_ERROR, str(error))
        sys.stderr.write(f"{LOG_PREFIX} unexpected error:\n{traceback.format_exc()}")
        sys.stderr.flush()
        message = f"Halloween Mask failed unexpectedly ({type(error).__name__}: {error}). Your image was not changed."
        return _failure(procedure, Gimp.PDBStatusType.EXECUTION_ERROR, message)
    finally:
        Gimp.progress_end()
    return Gimp.ValueArray.new_from_values(
        [GObject.Value(Gimp.PDBStatusType, Gimp.PDBStatusType.SUCCESS), GObject.Value(Gimp.Layer, layer)]
    )


def _failure(procedure: Gimp.Procedure, status: Gimp.PDBStatusType, message: str) -> Gimp.ValueArray:
    return procedure.new_return_values(status, GLib.Error(message))


def _show_dialog(procedure: Gimp.Procedure, config: Gimp.ProcedureConfig) -> bool:
    """The procedure dialog, built from the arguments; ``False`` on Cancel."""
    gi.require_version("GimpUi", "3.0")
    from gi.repository import GimpUi

    GimpUi.init(PROC_NAME)
    dialog = GimpUi.ProcedureDialog.new(procedure, config, "Halloween Mask")
    dialog.fill(None)
    try:
        return dialog.run()
    finally:
        dialog.destroy()


class HalloweenMaskRun:
    """One run: read the arguments, export, submit, wait, download, insert; temp files always removed."""

    def __init__(self, config: Gimp.ProcedureConfig, run_mode: Gimp.RunMode) -> None:
        from halloween_mask.styles import style

        self.has_ui = run_mode != Gimp.RunMode.NONINTERACTIVE  # dialogs and windows allowed (incl. Repeat)
        nick = config.get_property("mask-style")
        self.style = None if nick == TEMPLATE else style(int(nick.removeprefix("mask-")))
        self.template = config.get_property("template")
        self.aspect_ratio = config.get_property("aspect-ratio").replace("x", ":")
        self.new_image = config.get_property("placement") == "new-image"
        self.deadline = float(config.get_property("deadline"))
        if self.style is None and (self.template is None or not self.template.query_exists(None)):
            raise UsageError("The mask style is 'Use a template image': choose an existing template image file.")
        self.scratch: list[Path] = []
        self.timings: dict[str, float] = {}

    def apply(self, image: Gimp.Image, source: Gimp.Layer) -> Gimp.Layer:
        from halloween_mask import tempfiles
        from halloween_mask.errors import AuthError
        from halloween_mask.imageformat import read_image_info
        from halloween_mask.pending import PendingTasks
        from halloween_mask.placement import layer_name, provenance
        from halloween_mask.preflight import check_upload
        from halloween_mask_gimp.export import export_for_upload
        from halloween_mask_gimp.result import insert_results

        client = self._client()
        directory = Path(Gimp.temp_file("tmp").get_path()).parent
        tempfiles.sweep(directory)
        try:
            Gimp.progress_init("Halloween Mask: preparing the layer")
            with self._timed("export"):
                upload, plan = export_for_upload(source, directory)
                self.scratch.append(upload)
                image_bytes = upload.read_bytes()
                check_upload(image_bytes)
            template_bytes = self._template_bytes(directory) if self.style is None else None
            self._log(f"uploading {plan.width}x{plan.height} {plan.format} ({len(image_bytes):,} bytes)")

            Gimp.progress_set_text("Halloween Mask: uploading")
            style = self.style.number if self.style else None
            request = dict(
                mask_style=style,
                template=template_bytes,
                aspect_ratio=self.aspect_ratio,
                on_progress=self._progress,
                pending=PendingTasks.beside_settings(),  # a killed run's task is collected, not paid twice
            )
            with self._timed("service"):
                try:
                    outcome = client.apply(image_bytes, **request)
                except AuthError as rejected:  # nothing was charged; a stored key may be asked for again
                    client.close()
                    client = self._client(rejected)
                    outcome = client.apply(image_bytes, **request)
            task_id = outcome.task_id
            if outcome.resumed:
                self._log(f"collected task {task_id} that an earlier run had submitted")
            results = []
            for data in outcome.images:  # every result URL, usually one
                info = read_image_info(data)  # checked by the client: a JPEG, PNG or WEBP
                path = tempfiles.scratch_path(directory, info.extension)
                self.scratch.append(path)
                path.write_bytes(data)
                results.append((path, (info.width, info.height)))

            Gimp.progress_set_text("Halloween Mask: adding the result")
            with self._timed("insert"):
                layers = insert_results(
                    results,
                    image,
                    source,
                    layer_name(style),
                    provenance(style, self.aspect_ratio, task_id),
                    self.new_image,
                )
            if self.has_ui:  # results that became new images get a window
                for new_layer in layers:
                    if new_layer.get_image() != image:
                        self._show(new_layer.get_image())
            Gimp.displays_flush()
            layer = layers[0]
            more = f" and {len(layers) - 1} more" if len(layers) > 1 else ""
            self._log(f"inserted layer {layer.get_name()!r}{more} (task {task_id})")
            return layer
        finally:
            client.close()
            tempfiles.remove(*self.scratch)
            self._report_timings()

    def _client(self, rejected: AuthError | None = None) -> Client:
        """A client with the configured key; asks for one (interactive runs) if there is none.

        After ``rejected`` (the key was refused), an interactive run whose key came from the
        settings file asks for a new one; otherwise the refusal stands.
        """
        from halloween_mask.client import Client
        from halloween_mask.config import load_settings, save_api_key, settings_path

        settings = load_settings()
        stored = settings.api_key is not None and settings.source != "environment"
        if rejected is not None and not (self.has_ui and stored):
            if settings.source == "environment":
                rejected.advice = f"{rejected.kind.advice} It is set in AILAB_API_KEY in GIMP's environment."
            raise rejected
        if settings.api_key is None or rejected is not None:
            from halloween_mask_gimp.keyprompt import ask_api_key, can_ask

            if not (self.has_ui and can_ask()):
                raise UsageError(
                    "No AILabTools API key is configured. Set AILAB_API_KEY in GIMP's environment, or run "
                    "Filters > AI > Halloween Mask once interactively to store it in "
                    f"{settings_path()} (readable only by you)."
                )
            key = ask_api_key(str(settings_path()), problem=str(rejected) if rejected else None)
            if key is None:
                raise UsageError("No API key was entered, so nothing was sent.")
            save_api_key(key)
            settings = load_settings()
        return Client(settings.api_key, base_url=settings.base_url, deadline=self.deadline)

    def _template_bytes(self, directory: Path) -> bytes:
        """The template file as is when the service takes it, else re-exported through GIMP."""
        from halloween_mask.errors import HalloweenMaskError
        from halloween_mask.preflight import check_upload
        from halloween_mask_gimp.export import export_for_upload

        data = self.template.load_bytes(None)[0].get_data()
        try:
            check_upload(data, role="template")
            return data
        except HalloweenMaskError:
            pass
        try:
            template = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, self.template)
        except GLib.Error as error:
            raise UsageError(f"GIMP cannot open the template image: {error.message}") from None
        try:
            flat = template.merge_visible_layers(Gimp.MergeType.CLIP_TO_IMAGE)
            path, _plan = export_for_upload(flat, directory)
            self.scratch.append(path)
        finally:
            template.delete()
        data = path.read_bytes()
        check_upload(data, role="template")
        return data

    def _progress(self, progress: Progress) -> None:
        state = progress.state.name.lower()
        if state == "done":
            Gimp.progress_set_text("Halloween Mask: downloading the result")
        else:
            Gimp.progress_set_text(f"Halloween Mask: {state}, {progress.elapsed:.0f} s")
        Gimp.progress_pulse()

    @contextlib.contextmanager
    def _timed(self, step: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[step] = time.perf_counter() - start

    def _report_timings(self) -> None:
        path = os.environ.get(TIMINGS_ENV)
        if path and self.timings:
            with open(path, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(self.timings) + "\n")

    def _show(self, image: Gimp.Image) -> None:
        """Open a window on ``image``, if GIMP has windows (a batch Repeat has none)."""
        try:
            Gimp.Display.new(image)
        except (TypeError, GLib.Error):  # "constructor returned NULL" in gimp-console
            self._log(f"the result is image {image.get_id()}; GIMP has no window to show it in")

    @staticmethod
    def _log(message: str) -> None:
        sys.stderr.write(f"{LOG_PREFIX} {message}\n")
        sys.stderr.flush()


Gimp.main(HalloweenMask.__gtype__, sys.argv)
