"""The filter dialog's line for a request that costs nothing (issue 15 §2).

    ReuseChoice.attach(config, layer, cost_label)   # beside the dialog's cost line

When the request the dialog would send (the layer, or the part around the selection, as the run
exports it; the chosen style and aspect ratio; the configured endpoint) already has a kept
result, the cost line gives way to "OK: free, reuses the mask made on 5 Dec, 12:03" with a check
box "Make a new one (15 credits)" bound to the ``reuse`` argument (ticked: ``reuse`` FALSE, and
the cost line is back). A task paid but not collected yet says "OK: free, collects the mask paid
at 12:03" (collecting it is free; there is nothing to choose). The layer is exported once, after
the dialog is drawn, and only when the history holds a result from this layer or a task is
pending; a template as the source is not looked up (its cost line stays). The variants dialog's
cost line counts only the styles that will be paid (``FreeStyles``): "Style 7 is free (kept or
already paid); OK costs 30 credits at most for the other 2."
"""

from __future__ import annotations

from pathlib import Path

import gi

gi.require_version("Gtk", "3.0")
from gi.repository import Gimp, GLib, Gtk  # noqa: E402
from halloween_mask import tempfiles  # noqa: E402
from halloween_mask.config import load_settings  # noqa: E402
from halloween_mask.cost import CREDITS_PER_MASK, cost_line  # noqa: E402
from halloween_mask.errors import HalloweenMaskError, InvalidArgumentError  # noqa: E402
from halloween_mask.i18n import _, ngettext  # noqa: E402
from halloween_mask.ledger import Found, Ledger  # noqa: E402
from halloween_mask.pending import fingerprint  # noqa: E402
from halloween_mask.variants import parse_styles  # noqa: E402

from halloween_mask_gimp.export import export_for_upload  # noqa: E402
from halloween_mask_gimp.kept import source_name, when_text  # noqa: E402
from halloween_mask_gimp.log import log  # noqa: E402
from halloween_mask_gimp.request import MANY_STYLES, REUSE, SINGLE_STYLE, SOURCE_STYLE, number_of  # noqa: E402
from halloween_mask_gimp.selection import layer_box, selected_part  # noqa: E402


def _keep_on_top(widget: Gtk.Widget) -> None:
    """Raise the dialog again: exporting in GIMP raises the image window over it (seen without a window manager)."""
    window = widget.get_toplevel().get_window()
    if window is not None:
        window.raise_()


def upload_of(ledger: Ledger, layer: Gimp.Layer) -> tuple[bytes | None, str]:
    """The bytes a run would send for ``layer`` and the endpoint, exported only when the ledger may know
    the request (a result kept from this layer, or a task pending); ``None`` otherwise."""
    history, pending, image = ledger.history, ledger.pending, layer.get_image()
    kept = history is not None and bool(history.entries(limit=1, source=source_name(image, layer)))
    maybe_pending = pending is not None and pending.path.is_file() and pending.path.stat().st_size > 2
    if not (kept or maybe_pending):
        return None, ""
    try:
        base_url = load_settings().base_url
        selected, _missed = selected_part(image, layer)
        crop = selected.box.relative_to(layer_box(layer)) if selected else None
        path, _plan = export_for_upload(layer, Path(Gimp.temp_file("tmp").get_path()).parent, crop)
        try:
            return path.read_bytes(), base_url
        finally:
            tempfiles.remove(path)
    except (HalloweenMaskError, GLib.Error, OSError) as error:
        log(f"dialog: cannot tell whether the request is free ({error})")
        return None, ""


class _FreeLookup:
    """What both lines share: put beside the cost line, they learn once the dialog is drawn whether the
    request is known to the ledger, and follow the config's ``watched`` arguments."""

    config: Gimp.ProcedureConfig
    layer: Gimp.Layer
    cost: Gtk.Label

    def _watch(
        self, config: Gimp.ProcedureConfig, layer: Gimp.Layer, cost: Gtk.Label, watched: tuple[str, ...]
    ) -> None:
        self.config, self.layer, self.cost = config, layer, cost
        self.ledger = Ledger.for_user()
        self.upload: bytes | None = None
        self.base_url = ""
        self.set_no_show_all(True)
        config.set_property(REUSE, True)  # making a new one is chosen each time, never remembered
        for name in watched:
            config.connect(f"notify::{name}", lambda *_a: self._update())

    @classmethod
    def attach(cls, config: Gimp.ProcedureConfig, layer: Gimp.Layer, cost: Gtk.Label) -> _FreeLookup | None:
        """Put the line just above ``cost`` in its box; the lookup starts once the main loop is idle."""
        if config.find_property(REUSE) is None or cost.get_parent() is None:
            return None
        line = cls(config, layer, cost)
        cost.get_parent().pack_end(line, False, False, 0)
        GLib.idle_add(line._prepare)
        return line

    def _prepare(self) -> bool:
        self.upload, self.base_url = upload_of(self.ledger, self.layer)
        _keep_on_top(self)
        if self.upload is not None:
            self._update()
        return False

    def _update(self) -> None:
        raise NotImplementedError


class ReuseChoice(_FreeLookup, Gtk.Box):
    """The free line and the "Make a new one" check box; hidden while the request would be paid."""

    def __init__(self, config: Gimp.ProcedureConfig, layer: Gimp.Layer, cost: Gtk.Label) -> None:
        super().__init__(orientation=Gtk.Orientation.VERTICAL, spacing=4)
        self.line = Gtk.Label(xalign=0.0, wrap=True, max_width_chars=40)
        text = _("Make a _new one ({credits} credits)").format(credits=CREDITS_PER_MASK)
        self.fresh = Gtk.CheckButton.new_with_mnemonic(text)
        self.pack_start(self.line, False, False, 0)
        self.pack_start(self.fresh, False, False, 0)
        self.fresh.connect("toggled", self._toggled)
        self._watch(config, layer, cost, (SINGLE_STYLE, "aspect-ratio", "source"))

    def found(self) -> Found:
        """What the ledger holds for the request the dialog shows now."""
        style = number_of(self.config.get_property(SINGLE_STYLE))
        if self.upload is None or self.config.get_property("source") != SOURCE_STYLE or style is None:
            return Found()
        aspect = self.config.get_property("aspect-ratio").replace("x", ":")
        return self.ledger.lookup(fingerprint(self.base_url, self.upload, style, None, aspect))

    def _toggled(self, button: Gtk.CheckButton) -> None:
        self.config.set_property(REUSE, not button.get_active())
        self._update()

    def _update(self) -> None:
        found = self.found()
        if found.entry is not None:
            text = _("OK: free, reuses the mask made on {when}").format(when=found.entry.created_text)
        elif found.task is not None:
            text = _("OK: free, collects the mask paid at {when}").format(when=when_text(found.task.submitted))
        else:
            text = ""
        fresh = found.entry is not None and self.fresh.get_active()
        self.line.set_text(text)
        self.line.set_visible(bool(text) and not fresh)
        self.fresh.set_visible(found.entry is not None)  # a paid task is collected: nothing to choose
        self.set_visible(bool(text))
        self.cost.set_visible(not text or fresh)
        if text:
            log(f"dialog: {text}" + (" (a new one: ticked)" if fresh else ""))


class FreeStyles(_FreeLookup, Gtk.Label):
    """The variants' cost line while some styles are free: which, and what the others cost."""

    def __init__(self, config: Gimp.ProcedureConfig, layer: Gimp.Layer, cost: Gtk.Label) -> None:
        super().__init__(xalign=0.0, wrap=True, max_width_chars=40, margin_top=6)
        self._watch(config, layer, cost, (MANY_STYLES, "aspect-ratio"))

    def _update(self) -> None:
        try:
            styles = parse_styles(self.config.get_property(MANY_STYLES))
        except InvalidArgumentError:
            styles = ()
        aspect = self.config.get_property("aspect-ratio").replace("x", ":")
        free = [
            style
            for style in styles
            if self.upload is not None
            and self.ledger.lookup(fingerprint(self.base_url, self.upload, style, None, aspect)).free
        ]
        self.set_visible(bool(free))
        self.cost.set_visible(not free)
        if not free:
            return
        paid = len(styles) - len(free)
        numbers = ", ".join(map(str, free))
        if paid:
            text = ngettext(
                "Style {free} is free (kept or already paid); {cost} at most for the other {paid}.",
                "Styles {free} are free (kept or already paid); {cost} at most for the other {paid}.",
                len(free),
            ).format(free=numbers, cost=cost_line(paid), paid=paid)
        else:
            text = _("OK: free, every style is kept or already paid ({free}).").format(free=numbers)
        self.set_text(text)
        log(f"dialog: {text}")
