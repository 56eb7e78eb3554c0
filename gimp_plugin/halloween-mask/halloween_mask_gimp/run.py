"""One run of the Halloween Mask filter: export, submit, wait, insert.

``PluginRun`` is what every run shares (key, upload of the layer or of the selected part,
scratch files, timings); ``HalloweenMaskRun`` is the single-style filter. Both take a checked
``Request`` and return the procedure's return values (after the status). Everything here
calls ``Gimp`` and so runs on the plug-in's main thread; the network waits happen inside the
shared client, which reports progress back through callbacks.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from gi.repository import Gimp, GLib
from halloween_mask import tempfiles
from halloween_mask.client import Client, Progress, Result, TaskState
from halloween_mask.config import load_settings, save_api_key, settings_path
from halloween_mask.cost import CREDITS_DEADLINE
from halloween_mask.errors import AuthError, HalloweenMaskError, UsageError
from halloween_mask.favourites import StylePicks
from halloween_mask.i18n import N_, _
from halloween_mask.ledger import Ledger
from halloween_mask.placement import layer_name, provenance
from halloween_mask.preflight import check_upload
from halloween_mask.transport import RetryPolicy

from halloween_mask_gimp.export import export_for_upload
from halloween_mask_gimp.kept import source_name, tell, with_entry
from halloween_mask_gimp.log import TIMINGS_ENV, log
from halloween_mask_gimp.messages import done_notice
from halloween_mask_gimp.request import Request
from halloween_mask_gimp.result import Labelled, insert_results
from halloween_mask_gimp.selection import SelectedPart, layer_box, selected_part
from halloween_mask_gimp.thumbs import keep_thumbnail

T = TypeVar("T")
TICK_SECONDS = 0.25  # how often the status bar is brought up to date during the wait


def notice(text: str) -> None:
    """A one-line notice: GIMP shows it in the image's status bar while the run's progress is there."""
    log(f"notice: {text}")
    Gimp.message(text)


class PluginRun:
    """What every run shares: the key and client, the upload of the source layer (or of the
    part around the selection), scratch files always removed, timings. Subclasses do ``_run``."""

    title = N_("Halloween Mask")  # the filter's name in messages

    def __init__(self, request: Request) -> None:
        self.request = request
        self.status = _(self.title)  # what the status bar's texts start with
        self.has_ui = request.has_ui
        self.client: Client | None = None
        self.directory = Path()
        self.scratch: list[Path] = []
        self.timings: dict[str, float] = {}
        self.typed_key: str | None = None  # typed in the prompt, not yet accepted by the service
        self.asked = False  # the prompt was shown in this run

    def apply(self) -> tuple[object, ...]:
        """Run on the request's layer; returns the procedure's return values, after the status."""
        self.client = self._client()
        self.directory = Path(Gimp.temp_file("tmp").get_path()).parent
        tempfiles.sweep(self.directory)
        try:
            return self._run(self.request.image, self.request.layer)
        finally:
            self.client.close()
            tempfiles.remove(*self.scratch)
            self._report_timings()

    def _run(self, image: Gimp.Image, source: Gimp.Layer) -> tuple[object, ...]:
        raise NotImplementedError

    def _upload(self, image: Gimp.Image, source: Gimp.Layer) -> tuple[bytes, SelectedPart | None]:
        """The bytes to send and the selected part they show (``None``: the whole layer).

        With a selection over the layer, only its bounding box (grown, clipped to the layer) goes,
        and the selection's values there are kept for the results' layer masks. The client checks
        the bytes before anything is sent.
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
        where = f" of the selected part at {selected.box.x},{selected.box.y}" if selected else ""
        log(f"uploading {plan.width}x{plan.height} {plan.format}{where} ({len(image_bytes):,} bytes)")
        return image_bytes, selected

    def _send(self, attempt: Callable[[], T], refusal: Callable[[T], AuthError | None] = lambda _outcome: None) -> T:
        """``attempt()`` with the client's key; once more with a new key after a refused one.

        A refusal (raised, or found in the outcome by ``refusal``) charged nothing. An interactive
        run whose key came from the settings file (or the prompt) asks for a new key; otherwise the
        refusal stands. A typed key the service could not check before is saved once it worked.
        """
        try:
            outcome = attempt()
            rejected = refusal(outcome)
        except AuthError as error:
            rejected = error
        if rejected is None:
            self._keep_typed_key()
            return outcome
        self.typed_key = None  # refused: never saved
        self.client.close()
        self.client = self._client(rejected)
        outcome = attempt()
        if refusal(outcome) is None:
            self._keep_typed_key()
        return outcome

    def _keep_typed_key(self) -> None:
        """Save the key typed in the prompt, now that the service accepted it."""
        if self.typed_key is not None:
            save_api_key(self.typed_key)
            self.typed_key = None

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
        settings file or the prompt asks for a new one; otherwise the refusal stands. A typed key
        is saved only once AILabTools accepted it (the free credits query, else the run's request).
        """

        settings = load_settings()
        stored = settings.api_key is not None and settings.source != "environment"
        typed = rejected is not None and self.asked
        if rejected is not None and not (self.has_ui and (stored or typed)):
            if settings.source == "environment":
                rejected.advice = _("{advice} It is set in AILAB_API_KEY in GIMP's environment.").format(
                    advice=rejected.kind.advice
                )
            raise rejected
        if settings.api_key is not None and rejected is None:
            return Client(settings.api_key, base_url=settings.base_url, deadline=self.request.deadline)
        from halloween_mask_gimp.keyprompt import can_ask, typed_key

        if not (self.has_ui and can_ask()):
            raise UsageError(
                _(
                    "No AILabTools API key is configured. Set AILAB_API_KEY in GIMP's environment, or run "
                    "Filters > AI > Halloween Mask once interactively to store it in {settings_file} "
                    "(readable only by you)."
                ).format(settings_file=settings_path())
            )
        problem = None
        if rejected is not None:
            problem = (
                _(
                    "AILabTools refused the stored API key (nothing was charged). Enter a new key: it replaces "
                    "the stored one once AILabTools accepts it."
                )
                if stored and not typed
                else _(
                    "AILabTools refused that key, so it was not saved (nothing was charged). Check it and try again."
                )
            )
        self.asked = True

        def check(key: str) -> None:
            with Client(
                key, base_url=settings.base_url, deadline=CREDITS_DEADLINE, retry=RetryPolicy(attempts=2)
            ) as probe:
                probe.credits()  # free of charge: a refused key raises AuthError

        key, checked = typed_key(str(settings_path()), problem, check)
        if checked:
            save_api_key(key)
        else:
            self.typed_key = key  # saved by ``_send`` once a request succeeded with it
        return Client(key, base_url=settings.base_url, deadline=self.request.deadline)

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

    def __init__(self, request: Request) -> None:
        super().__init__(request)
        self.status = (
            _("Halloween Mask {number}").format(number=request.style)
            if request.style is not None
            else _("Halloween Mask (template)")
        )
        self.state: TaskState | None = None  # the task's state as the client last saw it (None: uploading)

    def _run(self, image: Gimp.Image, source: Gimp.Layer) -> tuple[object, ...]:
        image_bytes, selected = self._upload(image, source)
        region = selected.box if selected else None
        style = self.request.style
        template_bytes = self._template_bytes(self.directory) if style is None else None

        Gimp.progress_set_text(_("{title}: uploading").format(title=self.status))
        ledger = Ledger.for_user()  # a kept result is re-used, a paid task collected: never paid twice
        named = source_name(image, source)  # here: the call below runs on a worker thread, no Gimp there
        with self._timed("service"):
            outcome = self._send(
                lambda: self._waiting(
                    lambda: self.client.apply(
                        image_bytes,
                        mask_style=style,
                        template=template_bytes,
                        aspect_ratio=self.request.aspect_ratio,
                        on_progress=self._progress,
                        ledger=ledger,
                        reuse=self.request.reuse,
                        source=named,
                    )
                )
            )
        task_id = outcome.task_id
        tell(outcome, self.has_ui)
        results = Labelled(
            layer_name(style),
            with_entry(provenance(style, self.request.aspect_ratio, task_id, region=region), outcome.entry_id),
            self._save(outcome),
        )

        Gimp.progress_set_text(_("{title}: adding").format(title=self.status))
        with self._timed("insert"):
            layers = insert_results([results], image, source, new_image=self.request.new_image, part=selected)
        ledger.settle(outcome)  # without a history, the task leaves the ledger once its layer is in place
        self._show_new_images(layers, image)
        layer = layers[0]
        keep_thumbnail(ledger.history, outcome.entry_id, layer)  # the history dialog shows it at once
        more = f" and {len(layers) - 1} more" if len(layers) > 1 else ""
        log(f"inserted layer {layer.get_name()!r}{more} (task {task_id})")
        if style is not None:
            StylePicks.beside_settings().used(style)  # shown first in the next dialog
        elsewhere = layer.get_image() != image
        if self.has_ui and (elsewhere or not outcome.free):  # a free result was already told (``tell``)
            ratio = self.request.aspect_ratio
            notice(done_notice(layer.get_name(), elsewhere, self.request.new_image, ratio))
        return (layer,)

    def _template_bytes(self, directory: Path) -> bytes:
        """The template layer exported, or the template file as is when the service takes it, else re-exported."""
        if self.request.template_layer is not None:
            return self._exported(self.request.template_layer, directory)
        template = self.request.template_file
        data = template.load_bytes(None)[0].get_data()
        try:
            check_upload(data, role="template")  # decides whether the file goes as it is
            return data
        except HalloweenMaskError:
            pass
        try:
            opened = Gimp.file_load(Gimp.RunMode.NONINTERACTIVE, template)
        except GLib.Error as error:
            raise UsageError(_("GIMP cannot open the template image: {reason}").format(reason=error.message)) from None
        try:
            return self._exported(opened.merge_visible_layers(Gimp.MergeType.CLIP_TO_IMAGE), directory)
        finally:
            opened.delete()

    def _exported(self, drawable: Gimp.Drawable, directory: Path) -> bytes:
        path, _plan = export_for_upload(drawable, directory)
        self.scratch.append(path)
        return path.read_bytes()

    def _progress(self, progress: Progress) -> None:  # the client's thread: no Gimp calls here
        self.state = progress.state

    def _waiting(self, call: Callable[[], T]) -> T:
        """``call()`` on a worker thread while this (GIMP's) thread shows the state and counts the
        seconds in the status bar, steadily from the start instead of once per poll."""
        box: dict[str, object] = {}

        def work() -> None:
            try:
                box["value"] = call()
            except BaseException as error:  # handed to the main thread as it is
                box["error"] = error

        self.state = None
        started = time.monotonic()
        worker = threading.Thread(target=work, name="service", daemon=True)
        worker.start()
        while worker.is_alive():
            self._show_state(time.monotonic() - started)
            worker.join(TICK_SECONDS)
        if "error" in box:
            raise box["error"]
        return box["value"]

    def _show_state(self, seconds: float) -> None:
        texts = {
            None: _("{title}: uploading"),
            TaskState.QUEUED: _("{title}: queued {seconds} s"),
            TaskState.PROCESSING: _("{title}: processing {seconds} s"),
            TaskState.DONE: _("{title}: downloading"),
        }
        text = texts.get(self.state, _("{title}: processing {seconds} s"))
        Gimp.progress_set_text(text.format(title=self.status, seconds=f"{seconds:.0f}"))
        Gimp.progress_pulse()
