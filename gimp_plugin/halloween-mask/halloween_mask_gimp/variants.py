"""One run of Filters > AI > Halloween Mask Variants: several styles at once, one layer group.

The styles are sent concurrently by the shared ``StyleBatch`` on worker threads; this (the
main) thread only pulses GIMP's progress meanwhile, so every ``Gimp`` call stays on it.
GIMP's Cancel ends the plug-in's process, and with it every wait; the tasks already sent
stay pending and the next identical run collects them instead of paying again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from gi.repository import Gimp
from halloween_mask.errors import AuthError, PlainError
from halloween_mask.i18n import N_, _, ngettext
from halloween_mask.ledger import Ledger
from halloween_mask.placement import layer_name, provenance
from halloween_mask.variants import StyleBatch, StyleOutcome, failure_lines

from halloween_mask_gimp.kept import source_name, tell, with_entry
from halloween_mask_gimp.log import log
from halloween_mask_gimp.messages import done_notice, styles_message
from halloween_mask_gimp.result import VARIANTS_GROUP, Labelled, insert_results
from halloween_mask_gimp.run import PluginRun, notice
from halloween_mask_gimp.thumbs import keep_thumbnail

PULSE_SECONDS = 0.2


class NoVariantError(PlainError):
    """Every style failed: nothing was inserted; the message gives each reason once, with its styles."""

    def __init__(self, lines: Sequence[str]) -> None:
        self.lines = list(lines)
        super().__init__()

    @property
    def message(self) -> str:
        return _("No mask style worked, so nothing was added:") + "\n" + "\n".join(self.lines)


class VariantsRun(PluginRun):
    """The styles of ``mask-styles`` on one layer: a group of one layer per style over it."""

    title = N_("Halloween Mask Variants")

    @property
    def ledger(self) -> Ledger:
        """The user's ledger, opened once per run."""
        if not hasattr(self, "_ledger"):
            self._ledger = Ledger.for_user()
        return self._ledger

    def _run(self, image: Gimp.Image, source: Gimp.Layer) -> tuple[object, ...]:
        image_bytes, selected = self._upload(image, source)
        region = selected.box if selected else None
        styles = self.request.styles
        with self._timed("service"):
            outcomes = self._send(*self._attempts(image_bytes, styles))
        self.failures = failure_lines(outcomes)
        made = [o for o in outcomes if o.result is not None]
        if not made:
            raise NoVariantError(styles_message(outcomes))
        for outcome in made:
            tell(outcome.result, False)  # logged; a free style is told in the summary below
        variants = [
            Labelled(
                layer_name(o.style),
                with_entry(
                    provenance(o.style, self.request.aspect_ratio, o.result.task_id, region=region), o.result.entry_id
                ),
                self._save(o.result),
            )
            for o in made
        ]

        Gimp.progress_set_text(_("{title}: adding the results").format(title=self.status))
        with self._timed("insert"):
            groups = insert_results(variants, image, source, group=_(VARIANTS_GROUP), part=selected)
        for outcome in made:
            self.ledger.settle(outcome.result)
        members = groups[0].get_children() if groups[0].is_group() else []
        for outcome, layer in zip(made, members, strict=False):  # the history dialog shows them at once
            keep_thumbnail(self.ledger.history, outcome.result.entry_id, layer)
        self._show_new_images(groups, image)
        log(f"inserted the group {groups[0].get_name()!r} with {', '.join(v.name for v in variants)}")
        if self.has_ui and not self.failures:
            notice(self._done(groups[0], image, made))
        if self.failures:
            lines = styles_message(outcomes)  # each reason once, with its styles; details below
            report = _("Some mask styles did not work; the others were added:") + "\n" + "\n".join(lines)
            log(report.replace("\n", " | "))
            Gimp.message(report)
        return groups[0], "\n".join(self.failures)

    def _done(self, group: Gimp.Layer, image: Gimp.Image, made: Sequence[StyleOutcome]) -> str:
        """ "3 masks added in “Halloween Mask variants”." (or opened as a new image), and what was free."""
        name = ngettext("{count} mask in “{group}”", "{count} masks in “{group}”", len(made))
        text = done_notice(
            name.format(count=len(made), group=group.get_name()),
            group.get_image() != image,
            False,
            self.request.aspect_ratio,
        )
        free = sum(o.result.free for o in made)
        if free:
            text += " " + ngettext(
                "{free} of them reused or collected, no charge.", "{free} of them reused or collected, no charge.", free
            ).format(free=free)
        return text

    def _attempts(
        self, image_bytes: bytes, styles: Sequence[int]
    ) -> tuple[Callable[[], list[StyleOutcome]], Callable[[list[StyleOutcome]], AuthError | None]]:
        """For ``_send``: send the styles not done yet (all, then those the key was refused for); find a refusal."""
        outcomes: dict[int, StyleOutcome] = {}

        def attempt() -> list[StyleOutcome]:
            todo = [s for s in styles if s not in outcomes or isinstance(outcomes[s].error, AuthError)]
            outcomes.update((o.style, o) for o in self._batch(image_bytes, todo))
            return [outcomes[s] for s in styles]

        def refusal(done: list[StyleOutcome]) -> AuthError | None:
            return next((o.error for o in done if isinstance(o.error, AuthError)), None)

        return attempt, refusal

    def _batch(self, image_bytes: bytes, styles: Sequence[int]) -> list[StyleOutcome]:
        """Every style through the client, concurrently, while this thread keeps the progress alive."""
        with StyleBatch(
            self.client,
            image_bytes,
            styles,
            aspect_ratio=self.request.aspect_ratio,
            ledger=self.ledger,  # style by style: a kept result is re-used, a paid task collected
            reuse=self.request.reuse,
            source=source_name(self.request.image, self.request.layer),
            deadline=self.request.deadline,
        ) as batch:
            while not batch.wait(PULSE_SECONDS):
                text = _("{title}: {done} of {count} done, {seconds} s").format(
                    title=self.status, done=batch.done, count=len(styles), seconds=f"{batch.elapsed:.0f}"
                )
                Gimp.progress_set_text(text)
                Gimp.progress_pulse()
        return batch.outcomes()
