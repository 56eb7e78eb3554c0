"""What a run over many layers says: which layers got nothing and why, and which styles failed.

Layers are named as the Layers dock names them ('IMG_0042'), after their image's window title when
the run covers every open image ("portrait.png-2: 'IMG_0042'"), one line each in the order
selected; a script gets the same lines as the ``failed-layers`` return value.
"""

from __future__ import annotations

from collections.abc import Sequence

from gi.repository import Gimp
from halloween_mask import HalloweenMaskError, PlainError
from halloween_mask.i18n import _

from halloween_mask_gimp.log import log
from halloween_mask_gimp.messages import advice, details
from halloween_mask_gimp.targets import Selected, image_label, layer_label


def reason(error: HalloweenMaskError) -> str:
    """Why a layer got nothing, on one line: the sentence to act on (and what was charged), then the
    details support asks for."""
    return " ".join(part for part in (advice(error), details(error)) if part)


class NoLayerError(PlainError):
    """No layer got a result: nothing was inserted; the message (the whole text) names each layer and why."""

    def __init__(self, lines: Sequence[str], caller_fault: bool) -> None:
        self.lines = list(lines)
        super().__init__()
        self.caller_fault = caller_fault  # nothing could even be sent: the selection is the caller's

    @property
    def message(self) -> str:
        return _("No layer got a mask, so nothing was added:") + "\n" + "\n".join(self.lines)


class BatchReport:
    """The failures of one run over ``selected`` (``per_image``: names start with the image)."""

    def __init__(self, selected: Sequence[Selected], per_image: bool) -> None:
        self.selected = list(selected)
        self.per_image = per_image
        self.reasons: dict[int, str] = {}  # index in ``selected`` -> why that layer got nothing
        self.style_failures: list[str] = []  # variants: "'B': Mask 12: ..." for layers that got the others

    def layer_failed(self, index: int, reason: str) -> None:
        self.reasons[index] = reason

    def styles_failed(self, index: int, lines: Sequence[str]) -> None:
        """Styles that failed on a layer that got the others."""
        self.style_failures.extend(f"{self.name(self.selected[index])}: {line}" for line in lines)

    def name(self, entry: Selected) -> str:
        layer = layer_label(entry.drawable)
        return f"{image_label(entry.image)}: {layer}" if self.per_image else layer

    def failed_layers(self) -> list[str]:
        """One line per layer that got nothing, in the order selected: "'IMG_0042': No usable face ..."."""
        return [f"{self.name(self.selected[index])}: {self.reasons[index]}" for index in sorted(self.reasons)]

    def nothing_worked(self, sent: bool) -> NoLayerError:
        """The error for a run where no layer got a mask (``sent``: something was sent at all)."""
        return NoLayerError(self.failed_layers(), caller_fault=not sent)

    def tell(self) -> None:
        """Show (and log) what did not work, when something did not."""
        parts = []
        if self.reasons:
            parts.append(_("Some layers got no mask; the others got theirs:") + "\n" + "\n".join(self.failed_layers()))
        if self.style_failures:
            parts.append(
                _("Some mask styles did not work; the others were added:") + "\n" + "\n".join(self.style_failures)
            )
        if parts:
            report = "\n\n".join(parts)
            log(report.replace("\n", " | "))
            Gimp.message(report)
