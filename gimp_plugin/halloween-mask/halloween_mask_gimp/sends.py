"""The dialog's line naming what OK will send: the layer, or the part of it around the selection.

When the chosen layer is itself a Halloween Mask result (its provenance parasite names the
layer it was made from), the line says so and offers that source instead, ticked: a result
chosen by mistake is the usual case, and sending it only wastes a run on a mask.
"""

from __future__ import annotations

import gi

gi.require_version("Gtk", "3.0")
from gi.repository import Gimp, Gtk  # noqa: E402
from halloween_mask.i18n import _  # noqa: E402
from halloween_mask.region import upload_box  # noqa: E402

from halloween_mask_gimp.log import log  # noqa: E402
from halloween_mask_gimp.outlook import outlook  # noqa: E402
from halloween_mask_gimp.provenance import record_of, source_of  # noqa: E402
from halloween_mask_gimp.selection import layer_box, selection_box  # noqa: E402


class SentLayer(Gtk.Box):
    """ "Sends the layer “Background” (512 x 512 px).", and for a result the offer of its source."""

    def __init__(self, image: Gimp.Image, layer: Gimp.Layer, config: Gimp.ProcedureConfig | None = None) -> None:
        super().__init__(orientation=Gtk.Orientation.VERTICAL, spacing=4)
        self.image, self.layer, self.config = image, layer, config
        self.source = source_of(layer)
        self.use_source: Gtk.CheckButton | None = None
        self.line = Gtk.Label(xalign=0.0, wrap=True, max_width_chars=40)
        if record_of(layer) is not None:
            note = _("“{layer}” is a Halloween Mask result.").format(layer=layer.get_name())
            log(f"dialog: {note}")
            self.pack_start(Gtk.Label(label=note, xalign=0.0, wrap=True, max_width_chars=40), False, False, 0)
        if self.source is not None:
            offer = _("Send its source “{source}” instead").format(source=self.source.get_name())
            self.use_source = Gtk.CheckButton(label=offer, active=True)
            self.use_source.get_child().set_line_wrap(True)
            self.use_source.connect("toggled", self._update)
            self.pack_start(self.use_source, False, False, 0)
        self.pack_start(self.line, False, False, 0)
        self.outlook = Gtk.Label(xalign=0.0, wrap=True, max_width_chars=40, no_show_all=True)  # what will happen
        self.pack_start(self.outlook, False, False, 0)
        watched = [name for name in ("aspect-ratio", "placement") if config is not None and config.find_property(name)]
        handlers = [config.connect(f"notify::{name}", self._update) for name in watched]
        self.connect("destroy", lambda *_args: [config.disconnect(handler) for handler in handlers])
        self._update()
        self.show_all()

    def chosen(self) -> Gimp.Layer:
        """The layer OK sends: the source when offered and ticked, else the layer the run was given."""
        if self.use_source is not None and self.use_source.get_active():
            return self.source
        return self.layer

    def _update(self, *_args: object) -> None:
        layer = self.chosen()
        part = upload_box(selection_box(self.image), layer_box(layer))
        if part is None:
            text = _("Sends the layer “{layer}” ({width} x {height} px).")
            size = (layer.get_width(), layer.get_height())
        else:
            text = _("Sends the part of the layer “{layer}” around the selection ({width} x {height} px).")
            size = (part.width, part.height)
        self.line.set_text(text.format(layer=layer.get_name(), width=size[0], height=size[1]))
        log(f"dialog: {self.line.get_text()}")
        if self.config is not None:
            ratio = self.config.get_property("aspect-ratio").replace("x", ":")
            new_image = self.config.find_property("placement") and self.config.get_property("placement") == "new-image"
            lines = outlook(*size, ratio, bool(new_image))
            self.outlook.set_text("\n".join(lines))
            self.outlook.set_visible(bool(lines))
            for line in lines:
                log(f"dialog: {line}")
