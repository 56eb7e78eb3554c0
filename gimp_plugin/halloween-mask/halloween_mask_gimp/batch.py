"""One run over many layers: every selected layer of an image, or of every open image.

Each layer that can be sent is exported as a single run exports it (the part around the
selection, when there is one), one after another on GIMP's main thread, and goes to the service
as soon as it is exported; every request runs under the client's rules (``jobs.JobBatch``: a
bound on submits in flight, one deadline, one cancel, pending tasks collected by the next run
instead of paid twice) while GIMP's progress says "Halloween Mask: 5 of 12 done, 40 s". Each
layer's results are placed by the single run's own placement routine, directly above it in its
parent; all of one image's results are one undo step. A layer that fails, or cannot be sent (a
layer group, an empty layer), is named with its reason while the others get their results; only
when no layer worked is the run an error.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial

from gi.repository import Gimp, GLib
from halloween_mask import AuthError, HalloweenMaskError, PendingTasks, StylePicks, style
from halloween_mask.i18n import N_, _
from halloween_mask.placement import layer_name, place_result, provenance

from halloween_mask_gimp.jobs import Job, JobBatch, JobOutcome
from halloween_mask_gimp.log import log
from halloween_mask_gimp.request import SOURCE_STYLE, Request
from halloween_mask_gimp.result import VARIANTS_GROUP, Labelled, insert_results
from halloween_mask_gimp.run import HalloweenMaskRun
from halloween_mask_gimp.selection import SelectedPart, layer_box
from halloween_mask_gimp.targets import Selected, image_label, layer_label

PULSE_SECONDS = 0.2
CONFIRM_ABOVE = 10  # masks in one run with a user; more are asked about once, with the total cost


class NoLayerError(HalloweenMaskError):
    """No layer got a result: nothing was inserted; the message names each layer and why."""

    def __init__(self, lines: Sequence[str], caller_fault: bool) -> None:
        self.lines = list(lines)
        super().__init__()
        self.caller_fault = caller_fault  # nothing could even be sent: the selection is the caller's

    @property
    def message(self) -> str:
        return _("No layer got a mask, so nothing was added:") + "\n" + "\n".join(self.lines)


@dataclass
class Target:
    """A layer being sent: where it is, the part uploaded, and (once back) what it got."""

    index: int  # in the run's ``selected``
    entry: Selected
    part: SelectedPart | None = None
    unsent: str | None = None  # why the layer could not be exported
    results: list[Labelled] = field(default_factory=list)

    @property
    def layer(self) -> Gimp.Layer:
        return self.entry.drawable


class BatchRun(HalloweenMaskRun):
    """The single filter's style or template (or, with ``variants``, every style as a group) on many layers.

    ``selected`` are the drawables chosen (some may not be sendable); ``per_image`` names each
    image in the messages (Halloween Mask on All Open Images…). It borrows the single run's
    template export, so a template is exported once and sent with every layer.
    """

    title = N_("Halloween Mask")

    def __init__(self, request: Request, selected: Sequence[Selected], *, variants: bool, per_image: bool) -> None:
        super().__init__(request)
        self.status = _(self.title)
        self.selected = list(selected)
        self.variants = variants
        self.per_image = per_image
        self.reasons: dict[int, str] = {}  # index in ``selected`` -> why that layer got nothing
        self.style_failures: list[str] = []  # variants: "'B': Mask 12: ..." for layers that got the others

    def _run(self, image: Gimp.Image, source: Gimp.Layer) -> tuple[object, ...]:
        targets = []
        for index, entry in enumerate(self.selected):
            if entry.sendable:
                targets.append(Target(index, entry))
            else:
                self.reasons[index] = entry.reason
        if not targets:
            raise NoLayerError(self._failure_lines(), caller_fault=True)
        styles: tuple[int | None, ...] = self.request.styles if self.request.source == SOURCE_STYLE else (None,)
        template = self._template_bytes(self.directory) if styles == (None,) else None
        jobs: list[Job | None] = [None] * (len(targets) * len(styles))  # made by _export
        with self._timed("service"):
            outcomes = self._send(*self._attempts(jobs, partial(self._export, targets, styles, template, jobs)))
        for index, target in enumerate(targets):
            self._collect(target, styles, outcomes[index * len(styles) : (index + 1) * len(styles)])
        worked = [target for target in targets if target.results]
        if not worked:
            raise NoLayerError(self._failure_lines(), caller_fault=False)

        Gimp.progress_set_text(_("{title}: adding the results").format(title=self.status))
        with self._timed("insert"):
            made = [self._insert(image_targets) for image_targets in _by_image(worked)]
        first = next((layers[0] for layers in made if layers), None)
        log(f"inserted the results over {len(worked)} layers in {len(made)} images")
        if self.request.style is not None:
            StylePicks.beside_settings().used(self.request.style)  # shown first in the next dialog
        failed_layers = "\n".join(self._failure_lines())
        self._tell(failed_layers)
        if self.per_image:
            return (failed_layers,)
        if self.variants:
            return first, "\n".join(self.style_failures), failed_layers
        return first, failed_layers

    def _export(
        self,
        targets: Sequence[Target],
        styles: Sequence[int | None],
        template: bytes | None,
        jobs: list[Job | None],
        batch: JobBatch,
    ) -> None:
        """Each layer's upload, handed to its jobs as soon as it is made (the earlier ones are on their way)."""
        for number, target in enumerate(targets):
            first = number * len(styles)
            try:
                upload, target.part = self._upload(target.entry.image, target.layer)
            except HalloweenMaskError as error:
                target.unsent = str(error)
                for index in range(first, first + len(styles)):
                    batch.fail(index, error)
                continue
            for index, mask_style in enumerate(styles, start=first):
                jobs[index] = Job(upload, mask_style, template)
                batch.provide(index, jobs[index])

    def _attempts(
        self, jobs: list[Job | None], export: Callable[[JobBatch], None]
    ) -> tuple[Callable[[], list[JobOutcome]], Callable[[list[JobOutcome]], AuthError | None]]:
        """For ``_send``: send the jobs not done yet (all as ``export`` makes them, then those the key was
        refused for); find a refusal."""
        outcomes: dict[int, JobOutcome] = {}

        def attempt() -> list[JobOutcome]:
            todo = [n for n in range(len(jobs)) if n not in outcomes or isinstance(outcomes[n].error, AuthError)]
            again = [jobs[n] for n in todo] if outcomes else None  # known once exported
            outcomes.update(zip(todo, self._batch(again or jobs, None if again else export), strict=True))
            return [outcomes[n] for n in range(len(jobs))]

        def refusal(done: list[JobOutcome]) -> AuthError | None:
            return next((o.error for o in done if isinstance(o.error, AuthError)), None)

        return attempt, refusal

    def _batch(self, jobs: Sequence[Job | None], export: Callable[[JobBatch], None] | None) -> list[JobOutcome]:
        """Every job through the client, concurrently, while this (GIMP's main) thread exports the
        layers (``export``, when the jobs are not made yet), then keeps the progress alive."""
        with JobBatch(
            self.client,
            jobs,
            aspect_ratio=self.request.aspect_ratio,
            pending=PendingTasks.beside_settings(),  # a killed run's tasks are collected, not paid twice
            deadline=self.request.deadline,
        ) as batch:
            if export is not None:
                export(batch)
            while not batch.wait(PULSE_SECONDS):
                text = _("{title}: {done} of {count} done, {seconds} s").format(
                    title=self.status, done=batch.done, count=len(jobs), seconds=f"{batch.elapsed:.0f}"
                )
                Gimp.progress_set_text(text)
                Gimp.progress_pulse()
        return batch.outcomes()

    def _collect(self, target: Target, styles: Sequence[int | None], outcomes: Sequence[JobOutcome]) -> None:
        """The target's downloads, named and labelled as a single run's; its failures noted."""
        if target.unsent is not None:
            self.reasons[target.index] = target.unsent
            return
        region = target.part.box if target.part else None
        failures = []
        for number, outcome in zip(styles, outcomes, strict=True):
            if outcome.result is None:
                failures.append(f"{style(number).label}: {outcome.error}" if self.variants else str(outcome.error))
                continue
            if outcome.result.resumed:
                log(f"collected task {outcome.result.task_id} ({target.layer.get_name()}) from an earlier run")
            record = provenance(number, self.request.aspect_ratio, outcome.result.task_id, region=region)
            target.results.append(Labelled(layer_name(number), record, self._save(outcome.result)))
        if not target.results:
            self.reasons[target.index] = "; ".join(failures)
        else:
            self.style_failures.extend(f"{self._name(target.entry)}: {line}" for line in failures)

    def _insert(self, targets: Sequence[Target]) -> list[Gimp.Layer]:
        """One image's results over their sources, as one undo step; the sources stay selected."""
        image = targets[0].entry.image
        made: list[Gimp.Layer] = []
        with _undo_step(image, any(self._goes_over(target) for target in targets)):
            for target in targets:
                try:
                    made += insert_results(
                        target.results,
                        image,
                        target.layer,
                        new_image=self.request.new_image,
                        group=_(VARIANTS_GROUP) if self.variants else None,
                        part=target.part,
                    )
                except (HalloweenMaskError, GLib.Error) as error:
                    self.reasons[target.index] = str(getattr(error, "message", error))
        if image.is_valid():
            sources = [target.layer for target in targets if target.layer.is_valid()]
            if sources:
                image.set_selected_layers(sources)  # so Repeat sends the same layers again
        self._show_new_images(made, image)
        return made

    def _goes_over(self, target: Target) -> bool:
        """Whether any of ``target``'s results goes into its image (not into a new image)."""
        if not target.layer.is_valid():
            return False
        box = target.part.box if target.part else layer_box(target.layer)
        return any(
            place_result((box.width, box.height), size, self.request.new_image).target == "layer"
            for result in target.results
            for _path, size in result.downloads
        )

    def _failure_lines(self) -> list[str]:
        """One line per layer that got nothing, in the order selected: "'IMG_0042': No usable face ..."."""
        return [f"{self._name(self.selected[index])}: {self.reasons[index]}" for index in sorted(self.reasons)]

    def _name(self, entry: Selected) -> str:
        layer = layer_label(entry.drawable)
        return f"{image_label(entry.image)}: {layer}" if self.per_image else layer

    def _tell(self, failed_layers: str) -> None:
        """Show (and log) what did not work, when something did not."""
        parts = []
        if failed_layers:
            parts.append(_("Some layers got no mask; the others got theirs:") + "\n" + failed_layers)
        if self.style_failures:
            parts.append(
                _("Some mask styles did not work; the others were added:") + "\n" + "\n".join(self.style_failures)
            )
        if parts:
            report = "\n\n".join(parts)
            log(report.replace("\n", " | "))
            Gimp.message(report)


def _by_image(targets: Sequence[Target]) -> list[list[Target]]:
    """``targets`` grouped by image, each group in the order selected."""
    groups: dict[int, list[Target]] = {}
    for target in targets:
        groups.setdefault(target.entry.image.get_id(), []).append(target)
    return list(groups.values())


@contextlib.contextmanager
def _undo_step(image: Gimp.Image, needed: bool) -> Iterator[None]:
    """All of ``image``'s insertions as one undo step (the placement's own groups nest inside it)."""
    if not (needed and image.is_valid()):
        yield
        return
    image.undo_group_start()
    try:
        yield
    finally:
        image.undo_group_end()
