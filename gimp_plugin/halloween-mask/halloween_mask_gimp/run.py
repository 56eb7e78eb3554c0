"""One run of the Halloween Mask filter: read the arguments, export, submit, wait, insert.

``PluginRun`` is what every run shares (key, upload of the layer or of the selected part,
scratch files, timings); ``HalloweenMaskRun`` is the single-style filter. Everything here
calls ``Gimp`` and so runs on the plug-in's main thread; the network waits happen inside the
shared client, which reports progress back through callbacks.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

from gi.repository import Gimp, GLib
from halloween_mask import tempfiles
from halloween_mask.client import Client, Progress, Result, TaskState
from halloween_mask.config import load_settings, save_api_key, settings_path
from halloween_mask.errors import AuthError, HalloweenMaskError
from halloween_mask.favourites import StylePicks
from halloween_mask.i18n import N_, _
from halloween_mask.pending import PendingTasks
from halloween_mask.placement import layer_name, provenance
from halloween_mask.preflight import check_upload
from halloween_mask.styles import style

from halloween_mask_gimp.export import export_for_upload
from halloween_mask_gimp.result import Labelled, insert_results
from halloween_mask_gimp.selection import SelectedPart, layer_box, selected_part

LOG_PREFIX = "[halloween-mask]"
TEMPLATE = "template"  # the mask-style nick older scripts use for "the template image file"
SOURCE_STYLE, SOURCE_FILE, SOURCE_LAYER = "style", "file", "layer"  # the source argument's nicks
TIMINGS_ENV = "HALLOWEEN_MASK_TIMINGS"  # a file to append one JSON line of timings per run (benchmark)


def mask_source(config: Gimp.ProcedureConfig) -> str:
    """The source argument; the older ``mask-style`` entry ``template`` (from scripts) means ``file``."""
    source = config.get_property("source")
    if source == SOURCE_STYLE and config.get_property("mask-style") == TEMPLATE:
        return SOURCE_FILE
    return source


class UsageError(Exception):
    """The caller's fault (arguments, selection, configuration): reported as CALLING_ERROR."""


def log(message: str) -> None:
    """One line in GIMP's log (the plug-in's stderr)."""
    sys.stderr.write(f"{LOG_PREFIX} {message}\n")
    sys.stderr.flush()


class PluginRun:
    """What every run shares: the key and client, the upload of the source layer (or of the
    part around the selection), scratch files always removed, timings. Subclasses do ``_run``."""

    title = N_("Halloween Mask")  # the filter's name in messages

    def __init__(self, config: Gimp.ProcedureConfig, run_mode: Gimp.RunMode) -> None:

        self.status = _(self.title)  # what the status bar's texts start with
        self.has_ui = run_mode != Gimp.RunMode.NONINTERACTIVE  # dialogs and windows allowed (incl. Repeat)
        self.aspect_ratio = config.get_property("aspect-ratio").replace("x", ":")
        self.deadline = float(config.get_property("deadline"))
        self.client: Client | None = None
        self.directory = Path()
        self.scratch: list[Path] = []
        self.timings: dict[str, float] = {}

    def apply(self, image: Gimp.Image, source: Gimp.Layer) -> Gimp.Layer:
        """Run on ``source``; returns the new layer (or layer group)."""
        self.client = self._client()
        self.directory = Path(Gimp.temp_file("tmp").get_path()).parent
        tempfiles.sweep(self.directory)
        try:
            return self._run(image, source)
        finally:
            self.client.close()
            tempfiles.remove(*self.scratch)
            self._report_timings()

    def _run(self, image: Gimp.Image, source: Gimp.Layer) -> Gimp.Layer:
        raise NotImplementedError

    def _upload(self, image: Gimp.Image, source: Gimp.Layer) -> tuple[bytes, SelectedPart | None]:
        """The bytes to send and the selected part they show (``None``: the whole layer).

        With a selection over the layer, only its bounding box (grown, clipped to the layer) goes,
        and the selection's values there are kept for the results' layer masks.
        """
        Gimp.progress_init(_("{title}: preparing").format(title=self.status))
        selected, missed = selected_part(image, source)
        if missed:
            log("the selection does not touch the layer, so the whole layer is uploaded")
        with self._timed("export"):
            crop = selected.box.relative_to(layer_box(source)) if selected else None
            upload, plan = export_for_upload(source, self.directory, crop)
            self.scratch.append(upload)
            image_bytes = upload.read_bytes()
            check_upload(image_bytes)
        where = f" of the selected part at {selected.box.x},{selected.box.y}" if selected else ""
        log(f"uploading {plan.width}x{plan.height} {plan.format}{where} ({len(image_bytes):,} bytes)")
        return image_bytes, selected

    def _renew_client(self, rejected: AuthError) -> None:
        """After a refused key: a client with a new key (asked for), or ``rejected`` raised."""
        self.client.close()
        self.client = self._client(rejected)

    def _save(self, result: Result) -> list[tuple[Path, tuple[int, int]]]:
        """Each downloaded image in a scratch file, with its size (as the client checked it)."""
        if result.refused:
            log(
                f"task {result.task_id}: {result.refused} more results than the {len(result.images)} taken were refused"
            )
        saved = []
        for data, info in zip(result.images, result.infos, strict=True):
            path = tempfiles.scratch_path(self.directory, info.extension)
            self.scratch.append(path)
            path.write_bytes(data)
            saved.append((path, (info.width, info.height)))
        return saved

    def _show_new_images(self, layers: Sequence[Gimp.Layer], image: Gimp.Image) -> None:
        """Results that became new images get a window (interactive runs)."""
        if self.has_ui:
            for layer in layers:
                if layer.get_image() != image:
                    self._show(layer.get_image())
        Gimp.displays_flush()

    def _client(self, rejected: AuthError | None = None) -> Client:
        """A client with the configured key; asks for one (interactive runs) if there is none.

        After ``rejected`` (the key was refused), an interactive run whose key came from the
        settings file asks for a new one; otherwise the refusal stands.
        """

        settings = load_settings()
        stored = settings.api_key is not None and settings.source != "environment"
        if rejected is not None and not (self.has_ui and stored):
            if settings.source == "environment":
                rejected.advice = _("{advice} It is set in AILAB_API_KEY in GIMP's environment.").format(
                    advice=rejected.kind.advice
                )
            raise rejected
        if settings.api_key is None or rejected is not None:
            from halloween_mask_gimp.keyprompt import ask_api_key, can_ask

            if not (self.has_ui and can_ask()):
                raise UsageError(
                    _(
                        "No AILabTools API key is configured. Set AILAB_API_KEY in GIMP's environment, or run "
                        "Filters > AI > Halloween Mask once interactively to store it in {settings_file} "
                        "(readable only by you)."
                    ).format(settings_file=settings_path())
                )
            key = ask_api_key(str(settings_path()), problem=str(rejected) if rejected else None)
            if key is None:
                raise UsageError(_("No API key was entered, so nothing was sent."))
            save_api_key(key)
            settings = load_settings()
        return Client(settings.api_key, base_url=settings.base_url, deadline=self.deadline)

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
            log(f"the result is image {image.get_id()}; GIMP has no window to show it in")


class HalloweenMaskRun(PluginRun):
    """One run of Filters > AI > Halloween Mask: one style or template, its results as layers."""

    def __init__(self, config: Gimp.ProcedureConfig, run_mode: Gimp.RunMode) -> None:
        super().__init__(config, run_mode)
        self.source = mask_source(config)
        nick = config.get_property("mask-style")
        self.style = style(int(nick.removeprefix("mask-"))) if self.source == SOURCE_STYLE else None
        self.template = config.get_property("template") if self.source == SOURCE_FILE else None
        self.template_layer = config.get_property("template-layer") if self.source == SOURCE_LAYER else None
        self.new_image = config.get_property("placement") == "new-image"
        if self.source == SOURCE_FILE and (self.template is None or not self.template.query_exists(None)):
            raise UsageError(_("The mask comes from a template image file: choose an existing template image file."))
        if self.source == SOURCE_LAYER and (self.template_layer is None or not self.template_layer.is_valid()):
            raise UsageError(
                _("The mask comes from a template layer: choose a layer of an open image as the template.")
            )
        given = config.get_property("template") is not None or config.get_property("template-layer") is not None
        if run_mode == Gimp.RunMode.NONINTERACTIVE and self.source == SOURCE_STYLE and given:
            raise UsageError(
                _(
                    "A template was given but the source is 'style', so it would be ignored: "
                    "set source to 'file' or 'layer' (or give no template)."
                )
            )
        self.status = (
            _("Halloween Mask {number}").format(number=self.style.number)
            if self.style
            else _("Halloween Mask (template)")
        )

    def _run(self, image: Gimp.Image, source: Gimp.Layer) -> Gimp.Layer:
        image_bytes, selected = self._upload(image, source)
        region = selected.box if selected else None
        template_bytes = self._template_bytes(self.directory) if self.style is None else None

        Gimp.progress_set_text(_("{title}: uploading").format(title=self.status))
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
                outcome = self.client.apply(image_bytes, **request)
            except AuthError as rejected:  # nothing was charged; a stored key may be asked for again
                self._renew_client(rejected)
                outcome = self.client.apply(image_bytes, **request)
        task_id = outcome.task_id
        if outcome.resumed:
            log(f"collected task {task_id} that an earlier run had submitted")
        results = Labelled(
            layer_name(style), provenance(style, self.aspect_ratio, task_id, region=region), self._save(outcome)
        )

        Gimp.progress_set_text(_("{title}: adding").format(title=self.status))
        with self._timed("insert"):
            layers = insert_results(results, image, source, self.new_image, selected)
        self._show_new_images(layers, image)
        layer = layers[0]
        more = f" and {len(layers) - 1} more" if len(layers) > 1 else ""
        log(f"inserted layer {layer.get_name()!r}{more} (task {task_id})")
        if self.style is not None:
            StylePicks.beside_settings().used(self.style.number)  # shown first in the next dialog
        return layer

    def _template_bytes(self, directory: Path) -> bytes:
        """The template layer exported, or the template file as is when the service takes it, else re-exported."""

        if self.template_layer is not None:
            path, _plan = export_for_upload(self.template_layer, directory)
            self.scratch.append(path)
            data = path.read_bytes()
            check_upload(data, role="template")
            return data
        data = self.template.load_bytes(None)[0].get_data()
        try:
            check_upload(data, role="template")
            return data
        except HalloweenMaskError:
            pass
        try:
            template = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, self.template)
        except GLib.Error as error:
            raise UsageError(_("GIMP cannot open the template image: {reason}").format(reason=error.message)) from None
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
        if progress.state is TaskState.DONE:
            Gimp.progress_set_text(_("{title}: downloading").format(title=self.status))
        else:
            text = (
                _("{title}: queued {seconds} s")
                if progress.state is TaskState.QUEUED
                else _("{title}: processing {seconds} s")
            )
            Gimp.progress_set_text(text.format(title=self.status, seconds=f"{progress.elapsed:.0f}"))
        Gimp.progress_pulse()
