"""One run over many layers: every selected layer of an image, or of every open image.

Each layer that can be sent is exported as a single run exports it (the part around the
selection, when there is one), one after another on GIMP's main thread, and goes to the service
as soon as it is exported; every request runs under the client's rules (``jobs.JobBatch``: a
bound on submits in flight, one deadline, one cancel, the user's ledger: a kept result re-used
for free, a task a killed run paid for collected, nothing paid twice) while GIMP's progress says
"Halloween Mask: 5 of 12 done, 40 s". A layer's results are loaded as soon as its requests end
(while the others still wait), and placed at the end by the single run's own placement routine,
directly above it in its parent; all of one image's results are one undo step. A layer that
fails, or cannot be sent (a layer group, an empty layer), is named with its reason while the
others get their results; only when no layer worked is the run an error.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial

from gi.repository import Gimp, GLib
from halloween_mask import AuthError, HalloweenMaskError, Result, StylePicks, style
from halloween_mask.i18n import N_, _
from halloween_mask.ledger import Ledger
from halloween_mask.placement import layer_name, provenance

from halloween_mask_gimp.batch_report import BatchReport, reason
from halloween_mask_gimp.jobs import Job, JobBatch, JobOutcome
from halloween_mask_gimp.kept import source_name, tell, with_entry
from halloween_mask_gimp.log import log
from halloween_mask_gimp.request import SOURCE_STYLE, Request
from halloween_mask_gimp.result import VARIANTS_GROUP, Labelled, Loaded, load_results, place_results
from halloween_mask_gimp.run import HalloweenMaskRun
from halloween_mask_gimp.selection import SelectedPart
from halloween_mask_gimp.targets import Selected
from halloween_mask_gimp.thumbs import keep_thumbnail

PULSE_SECONDS = 0.2
CONFIRM_ABOVE = 10  # masks in one run with a user; more are asked about once, with the total cost


@dataclass
class Target:
    """A layer being sent: where it is, its jobs, the part uploaded, and (once back) its loaded results."""

    index: int  # in the run's ``selected``
    entry: Selected
    jobs: range  # its jobs' indexes in the run: one per style
    part: SelectedPart | None = None
    unsent: HalloweenMaskError | None = None  # why the layer could not be exported
    done: bool = False  # its outcomes are in
    loaded: Loaded | None = None  # its results, loaded but not yet placed
    placed: bool = False
    paid: list[Result] = field(default_factory=list)  # settled in the ledger once placed

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
        self.report = BatchReport(selected, per_image)
        self.styles: tuple[int | None, ...] = request.styles if request.source == SOURCE_STYLE else (None,)
        self.targets: list[Target] = []
        self.ledger = Ledger.for_user()  # a kept result is re-used, a paid task collected: never paid twice

    def _run(self, image: Gimp.Image, source: Gimp.Layer) -> tuple[object, ...]:
        for index, entry in enumerate(self.selected):
            if entry.sendable:
                first = len(self.targets) * len(self.styles)
                self.targets.append(Target(index, entry, range(first, first + len(self.styles))))
            else:
                self.report.layer_failed(index, entry.reason)
        if not self.targets:
            raise self.report.nothing_worked(sent=False)
        template = self._template_bytes(self.directory) if self.styles == (None,) else None
        jobs: list[Job | None] = [None] * (len(self.targets) * len(self.styles))  # made by _export
        try:
            with self._timed("service"):
                outcomes = self._send(*self._attempts(jobs, partial(self._export, template, jobs)))
            for target in self.targets:
                if not target.done:
                    self._finish(target, dict(enumerate(outcomes)))
            worked = [target for target in self.targets if target.loaded is not None]
            if not worked:
                raise self.report.nothing_worked(sent=True)
            Gimp.progress_set_text(_("{title}: adding the results").format(title=self.status))
            with self._timed("insert"):
                made = [self._place(image_targets) for image_targets in _by_image(worked)]
        except BaseException:
            for target in self.targets:
                if target.loaded is not None and not target.placed:
                    target.loaded.discard()
            raise
        log(f"inserted the results over {len(worked)} layers in {len(made)} images")
        if self.request.style is not None:
            StylePicks.beside_settings().used(self.request.style)  # shown first in the next dialog
        self.report.tell()
        failed_layers = "\n".join(self.report.failed_layers())
        first_made = next((layers[0] for layers in made if layers), None)
        if self.per_image:
            return (failed_layers,)
        if self.variants:
            return first_made, "\n".join(self.report.style_failures), failed_layers
        return first_made, failed_layers

    def _export(self, template: bytes | None, jobs: list[Job | None], batch: JobBatch) -> None:
        """Each layer's upload, handed to its jobs as soon as it is made (the earlier ones are on their way).

        Results are loaded only after the last export: every submit goes out as early as it can."""
        for target in self.targets:
            try:
                upload, target.part = self._upload(target.entry.image, target.layer)
            except HalloweenMaskError as error:
                target.unsent = error
                for index in target.jobs:
                    batch.fail(index, error)
                continue
            source = source_name(target.entry.image, target.layer)
            for index, mask_style in zip(target.jobs, self.styles, strict=True):
                jobs[index] = Job(upload, mask_style, template, source)
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
        """Every job through the client, concurrently, while this (GIMP's main) thread exports the layers
        (``export``: the first attempt, whose jobs are the run's), loads the results of the layers whose
        jobs are done, and keeps the progress alive."""
        with JobBatch(
            self.client,
            jobs,
            aspect_ratio=self.request.aspect_ratio,
            ledger=self.ledger,
            reuse=self.request.reuse,
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
                if export is not None:
                    self._load_finished(batch)
        return batch.outcomes()

    def _load_finished(self, batch: JobBatch) -> None:
        """Load the results of each layer whose jobs have all ended (none refused for the key: those go again)."""
        finished = batch.finished()
        for target in self.targets:
            outcomes = [finished.get(index) for index in target.jobs]
            ended = all(o is not None and not isinstance(o.error, AuthError) for o in outcomes)
            if not target.done and ended:
                self._finish(target, finished)

    def _finish(self, target: Target, outcomes: Mapping[int, JobOutcome]) -> None:
        """The layer's outcomes: its results named as a single run's and loaded (not placed yet), or why it got none."""
        target.done = True
        if target.unsent is not None:
            self.report.layer_failed(target.index, reason(target.unsent))
            return
        region = target.part.box if target.part else None
        results, failures = [], []
        for number, index in zip(self.styles, target.jobs, strict=True):
            outcome = outcomes[index]
            if outcome.result is None:
                said = reason(outcome.error)
                failures.append(f"{style(number).label}: {said}" if self.variants else said)
                continue
            tell(outcome.result, False)  # logged: a re-used or collected mask cost nothing
            record = provenance(number, self.request.aspect_ratio, outcome.result.task_id, region=region)
            record = with_entry(record, outcome.result.entry_id)
            results.append(Labelled(layer_name(number), record, self._save(outcome.result)))
            target.paid.append(outcome.result)
        if not results:
            self.report.layer_failed(target.index, "; ".join(failures))
            return
        self.report.styles_failed(target.index, failures)
        try:
            target.loaded = load_results(
                results,
                target.entry.image,
                target.layer,
                new_image=self.request.new_image,
                group=_(VARIANTS_GROUP) if self.variants else None,
                part=target.part,
            )
        except (HalloweenMaskError, GLib.Error) as error:
            self.report.layer_failed(target.index, str(getattr(error, "message", error)))

    def _place(self, targets: Sequence[Target]) -> list[Gimp.Layer]:
        """One image's loaded results over their sources, as one undo step; the sources stay selected."""
        image = targets[0].entry.image
        made: list[Gimp.Layer] = []
        goes_over = any(layer.get_image() == image for target in targets for layer in target.loaded.made)
        with _undo_step(image, goes_over):
            for target in targets:
                target.placed = True
                try:
                    placed = place_results(target.loaded)
                except (HalloweenMaskError, GLib.Error) as error:
                    self.report.layer_failed(target.index, str(getattr(error, "message", error)))
                    continue
                made += placed
                for result in target.paid:
                    self.ledger.settle(result)  # without a history, the task leaves the ledger once in place
                self._keep_thumbnails(target, placed)
        if image.is_valid():
            sources = [target.layer for target in targets if target.layer.is_valid()]
            if sources:
                image.set_selected_layers(sources)  # so Repeat sends the same layers again
        self._show_new_images(made, image)
        return made

    def _keep_thumbnails(self, target: Target, placed: Sequence[Gimp.Layer]) -> None:
        """Each kept result's own layer thumbnail in the history, so its dialog shows it at once."""
        if not placed:
            return
        layers = placed[0].get_children() if self.variants and placed[0].is_group() else placed[:1]
        for result, layer in zip(target.paid, layers, strict=False):
            keep_thumbnail(self.ledger.history, result.entry_id, layer)


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
