"""The filters' dialogs: the style gallery beside GIMP's own widgets, and the variants' dialog.

Left, the gallery of the 85 styles (``gallery.StyleGallery``, bound to ``mask-style``); right,
"Use: Built-in style / Template image file / Template layer" (the ``source`` argument), the
template file with its thumbnail and the template layer chooser, the aspect ratio, placement and
deadline, and what OK costs with the credits left. Only the chosen source's widgets are
sensitive, so a template can never be picked while a style is what runs, or the other way round.
``HALLOWEEN_MASK_DIALOG=plain`` shows GIMP's generated dialog instead (no gallery, no network).

Widget types are chosen here, not left to GIMP: 3.2 draws a choice of three or fewer entries as
radio buttons where 3.0 draws a combo box, and the dialog should look the same in both. Long
lists are combo boxes; "Put the result in" (two places) and "Use" (three sources) are radio
frames, so every entry is visible and one click away.

The variants dialog has the same gallery in multiple mode, bound to ``mask-styles``: Ctrl/Shift-
click writes the numbers into the typed list and typing selects the tiles. Under the list, a
line says what the styles will cost, updated as they change; OK stays greyed out while the
list is not valid.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time

import gi

gi.require_version("GimpUi", "3.0")
gi.require_version("Gtk", "3.0")
gi.require_version("GdkPixbuf", "2.0")
gi.require_version("Gdk", "3.0")
from gi.repository import Gdk, GdkPixbuf, Gimp, GimpUi, GLib, GObject, Gtk  # noqa: E402
from halloween_mask.cost import balance_line, cost_line  # noqa: E402
from halloween_mask.errors import BILLING_URL, KEYS_URL, InvalidArgumentError  # noqa: E402
from halloween_mask.i18n import _, ngettext  # noqa: E402
from halloween_mask.variants import parse_styles  # noqa: E402

from halloween_mask_gimp.confirm import layers_text, run_cost_text  # noqa: E402
from halloween_mask_gimp.gallery import StyleGallery  # noqa: E402
from halloween_mask_gimp.log import TIMINGS_ENV, log  # noqa: E402
from halloween_mask_gimp.remember import remember  # noqa: E402
from halloween_mask_gimp.request import (  # noqa: E402
    MANY_STYLES,
    SINGLE_STYLE,
    SOURCE_FILE,
    SOURCE_LAYER,
    SOURCE_STYLE,
    explicit_source,
)
from halloween_mask_gimp.reuse_choice import FreeStyles, ReuseChoice  # noqa: E402
from halloween_mask_gimp.sends import SentLayer  # noqa: E402

COMBO_BOXES = (SINGLE_STYLE, "aspect-ratio")
RADIO_FRAMES = ("placement", "source")
MNEMONIC = re.compile(r"\(_\w\)")  # a mnemonic in brackets, as Japanese and Chinese labels put it: "(_H)"
DIALOG_ENV = "HALLOWEEN_MASK_DIALOG"  # "plain": GIMP's generated dialog, without the gallery
TEMPLATE_THUMB = 64


def show_dialog(
    procedure: Gimp.Procedure,
    config: Gimp.ProcedureConfig,
    started: float,
    *,
    layer: Gimp.Layer | None = None,
    layers: int = 1,
    images: int = 1,
) -> Gimp.Layer | bool:
    """Show the dialog until it is answered: ``False`` for Cancel; for OK the layer to send
    (``True`` when no one ``layer`` is given).

    The dialog names the ``layer`` it will send; when that is a Halloween Mask result, it offers
    (ticked) the source layer the result was made from, and OK then returns that source. A run
    over several ``layers`` (in ``images``) says so in its cost line: "3 layers · OK costs 45 credits".
    ``started`` is ``time.monotonic()`` when the procedure started (for the benchmark's timings).
    """
    GimpUi.init(procedure.get_name())
    single = config.find_property(SINGLE_STYLE) is not None  # the variants procedure has no style choice
    if single:
        explicit_source(config)  # an older script's values: the explicit form
    dialog = GimpUi.ProcedureDialog.new(procedure, config, dialog_title(procedure.get_menu_label()))
    for names, widget in ((COMBO_BOXES, Gtk.ComboBox), (RADIO_FRAMES, GimpUi.IntRadioFrame)):
        for name in names:
            if config.find_property(name) is not None:  # the variants procedure has no placement or source
                dialog.get_widget(name, widget)
    sends = SentLayer(layer.get_image(), layer, config) if layer is not None else None
    gallery = None
    if os.environ.get(DIALOG_ENV) == "plain":
        if sends is not None:
            dialog.get_content_area().pack_start(sends, False, False, 6)
        dialog.fill(None)
        if not single:
            dialog.get_content_area().pack_start(_cost_line(dialog, config, layers), False, False, 0)
    elif single:
        gallery = _fill(dialog, config, sends, run_cost_text(layers, images))
    else:
        gallery = _fill_variants(dialog, config, sends, layers)
    _time_first_frame(dialog, gallery, started)
    try:
        if not dialog.run():
            return False
        remember(config, layer.get_image() if layer is not None else None)  # kept even if the run fails
        return sends.chosen() if sends is not None else True
    finally:
        if gallery is not None:
            gallery.close()
        dialog.destroy()


def dialog_title(menu_label: str) -> str:
    """The menu label without its mnemonic or dots: "_Halloween Mask..." -> "Halloween Mask"."""
    return MNEMONIC.sub("", menu_label).replace("_", "").rstrip(" .\u2026")


def _fill(
    dialog: GimpUi.ProcedureDialog, config: Gimp.ProcedureConfig, sends: SentLayer | None, cost_text: str
) -> StyleGallery:
    gallery = StyleGallery(config, SINGLE_STYLE, on_activate=lambda: dialog.response(Gtk.ResponseType.OK))
    source = dialog.get_widget("source", GimpUi.IntRadioFrame)
    _friendly_tooltips(source)
    template_box = dialog.fill_box("hm-template", ["template", "template-layer"])
    options = dialog.fill_box("hm-options", ["aspect-ratio", "placement", "deadline"])
    template_file = dialog.get_widget("template", GObject.TYPE_NONE)
    template_layer = dialog.get_widget("template-layer", GObject.TYPE_NONE)
    _without_preview(template_layer)
    thumbnail = Gtk.Image(halign=Gtk.Align.START)
    cost = Gtk.Label(
        label=_("{cost} · checking the balance…").format(cost=cost_text), xalign=0.0, wrap=True, max_width_chars=40
    )
    missing = Gtk.Label(xalign=0.0, wrap=True, max_width_chars=40, no_show_all=True)
    widgets = (source, template_box, missing, thumbnail, options)
    _beside_gallery(dialog, gallery, (sends, *widgets) if sends is not None else widgets, cost)
    if sends is not None:  # "OK: free, reuses the mask made on …" (issue 15 §2)
        ReuseChoice.attach(config, sends.chosen(), cost)

    def follow_source(*_args: object) -> None:
        chosen = config.get_property("source")
        gallery.set_sensitive(chosen == SOURCE_STYLE)
        template_file.set_sensitive(chosen == SOURCE_FILE)
        thumbnail.set_sensitive(chosen != SOURCE_STYLE)
        follow_template()
        template_layer.set_sensitive(chosen == SOURCE_LAYER)

    def follow_template(*_args: object) -> None:
        """The chosen template's thumbnail: the file's picture, or the layer's; OK only once one is chosen."""
        thumbnail.clear()
        pixbuf = _template_thumbnail(config)
        if pixbuf is not None:
            thumbnail.set_from_pixbuf(pixbuf)
        thumbnail.set_tooltip_text(_template_name(config) if pixbuf is not None else None)
        lacking = missing_template(config)
        dialog.set_response_sensitive(Gtk.ResponseType.OK, lacking is None)
        missing.set_text(lacking or "")
        missing.set_visible(lacking is not None)
        if lacking is not None:
            log(f"dialog: {lacking}")

    config.connect("notify::source", follow_source)
    config.connect("notify::template", follow_template)
    config.connect("notify::template-layer", follow_template)
    follow_source()
    link = Gtk.LinkButton(halign=Gtk.Align.START, no_show_all=True)  # sign up or buy credits, when that is the news
    cost.get_parent().pack_end(link, False, False, 0)
    threading.Thread(target=_balance, args=(cost, cost_text, link), name="credits", daemon=True).start()
    return gallery


def _fill_variants(
    dialog: GimpUi.ProcedureDialog, config: Gimp.ProcedureConfig, sends: SentLayer | None, layers: int
) -> StyleGallery:
    """The gallery picking several styles (Ctrl/Shift-click) beside the typed list: each follows the other."""
    gallery = StyleGallery(config, MANY_STYLES, multiple=True)
    options = dialog.fill_box("hm-variants", [MANY_STYLES, "aspect-ratio", "deadline"])
    widgets = (sends, options) if sends is not None else (options,)
    cost = _cost_line(dialog, config, layers)
    _beside_gallery(dialog, gallery, widgets, cost)
    if sends is not None:  # only the styles that will be paid count (issue 15 §2)
        FreeStyles.attach(config, sends.chosen(), cost)
    return gallery


def _beside_gallery(
    dialog: GimpUi.ProcedureDialog, gallery: StyleGallery, widgets: tuple[Gtk.Widget, ...], cost: Gtk.Label
) -> None:
    """The gallery on the left; right of it, ``widgets`` from the top and the cost line at the bottom."""
    side = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=10)
    for widget in widgets:
        side.pack_start(widget, False, False, 0)
    side.pack_end(cost, False, False, 0)
    row = Gtk.Box(orientation=Gtk.Orientation.HORIZONTAL, spacing=12, border_width=6)
    row.pack_start(gallery, True, True, 0)
    row.pack_start(side, False, False, 0)
    dialog.get_content_area().pack_start(row, True, True, 0)
    row.show_all()
    dialog.connect("map-event", lambda *_args: gallery.start_previews())  # after the dialog is built


def _cost_line(dialog: GimpUi.ProcedureDialog, config: Gimp.ProcedureConfig, layers: int = 1) -> Gtk.Label:
    """A label that says "3 styles (3, 7, 12): OK costs 45 credits at most" (on two layers, "2 layers" times
    that, and 90 credits), or what is wrong, as the user types."""
    label = Gtk.Label(xalign=0.0, wrap=True, max_width_chars=40, margin_top=6)

    def update(*_args: object) -> None:
        try:
            styles = parse_styles(config.get_property(MANY_STYLES))
        except InvalidArgumentError as error:
            label.set_text(error.detail[0].upper() + error.detail[1:])
            dialog.set_response_sensitive(Gtk.ResponseType.OK, False)
            return
        count = len(styles)
        text = ngettext(
            "{count} style ({styles}): {cost} at most; a style that fails costs nothing.",
            "{count} styles ({styles}): {cost} at most; a style that fails costs nothing.",
            count,
        )
        text = text.format(count=count, styles=", ".join(map(str, styles)), cost=cost_line(count * layers))
        if layers > 1:
            text = _("{layers} × {styles}").format(layers=layers_text(layers), styles=text)  # noqa: RUF001
        label.set_text(text)
        log(f"dialog: {text}")
        dialog.set_response_sensitive(Gtk.ResponseType.OK, True)

    config.connect(f"notify::{MANY_STYLES}", update)
    update()
    label.show()
    return label


def _friendly_tooltips(source: Gtk.Widget) -> None:
    """The "Use" options' tooltips in words, not the script names ('style', 'file', 'layer') of their help."""
    texts = (
        _("One of the 85 mask styles in the gallery"),
        _("The mask in a picture file you choose"),
        _("The mask in a layer of an image open in GIMP"),
    )
    source.set_tooltip_text(_("Where the mask comes from"))
    for button, text in zip(_descendants(source, Gtk.RadioButton), texts, strict=False):
        button.set_tooltip_text(text)


def _without_preview(chooser: Gtk.Widget) -> None:
    """The layer chooser's button as "Browse..." alone: its preview, an empty 40 px box until a layer is
    chosen, goes (the dialog's own thumbnail under it shows the chosen layer)."""
    for frame in _descendants(chooser, Gtk.Frame):
        frame.set_no_show_all(True)
        frame.hide()


def _descendants(widget: Gtk.Widget, kind: type) -> list[Gtk.Widget]:
    """``widget`` and the widgets inside it that are a ``kind``, in order."""
    children = widget.get_children() if isinstance(widget, Gtk.Container) else []
    return [*([widget] if isinstance(widget, kind) else []), *(w for c in children for w in _descendants(c, kind))]


def missing_template(config: Gimp.ProcedureConfig) -> str | None:
    """What the chosen source still lacks before OK can send it (``None``: nothing)."""
    source = config.get_property("source")
    if source == SOURCE_FILE:
        template = config.get_property("template")
        if template is None or not template.query_exists(None):
            return _("Choose the template image file (OK waits for it), or use a built-in style.")
    if source == SOURCE_LAYER:
        layer = config.get_property("template-layer")
        if layer is None or not layer.is_valid():
            return _("Choose the template layer (OK waits for it), or use a built-in style.")
    return None


def _template_thumbnail(config: Gimp.ProcedureConfig) -> GdkPixbuf.Pixbuf | None:
    source = config.get_property("source")
    if source == SOURCE_LAYER:
        layer = config.get_property("template-layer")
        if layer is None or not layer.is_valid():
            return None
        return layer.get_thumbnail(TEMPLATE_THUMB, TEMPLATE_THUMB, Gimp.PixbufTransparency.SMALL_CHECKS)
    template = config.get_property("template")
    if source != SOURCE_FILE or template is None or not template.get_path():
        return None
    try:
        return GdkPixbuf.Pixbuf.new_from_file_at_scale(template.get_path(), TEMPLATE_THUMB, TEMPLATE_THUMB, True)
    except GLib.Error:
        return None


def _template_name(config: Gimp.ProcedureConfig) -> str:
    """The chosen template's name for its thumbnail's tooltip: the layer's, or the file's."""
    if config.get_property("source") == SOURCE_LAYER:
        return config.get_property("template-layer").get_name()
    return config.get_property("template").get_basename()


def _balance(label: Gtk.Label, cost_text: str, link: Gtk.LinkButton) -> None:  # worker: the network, no Gtk
    balance = balance_line()
    text = _("{cost} · {balance}").format(cost=cost_text, balance=balance)
    log(f"dialog: {text}")
    no_key = (_("no API key yet: OK asks for one"), _("the stored API key was refused: OK asks for another"))
    empty = ngettext("about {masks} mask left", "about {masks} masks left", 0).format(masks="0")
    offer = (KEYS_URL, _("Get an API key")) if balance in no_key else (BILLING_URL, _("Buy credits"))
    GLib.idle_add(_show_balance, label, text, link, offer if balance in (*no_key, empty) else None)


def _show_balance(label: Gtk.Label, text: str, link: Gtk.LinkButton, offer: tuple[str, str] | None) -> bool:
    label.set_text(no_widow(text))
    if offer is not None:
        link.set_uri(offer[0])
        link.set_label(offer[1])
        link.show()
    return GLib.SOURCE_REMOVE


def no_widow(text: str) -> str:
    """``text`` with its last two words held together, so a wrapped line never leaves one word alone."""
    head, space, tail = text.rpartition(" ")
    return f"{head}\u00a0{tail}" if space and head else text


def _time_first_frame(dialog: Gtk.Dialog, gallery: StyleGallery | None, started: float) -> None:
    """With ``HALLOWEEN_MASK_TIMINGS`` set, append when the dialog was first drawn (and the pictures shown)."""
    path = os.environ.get(TIMINGS_ENV)
    if not path:
        return

    def write(event: str, **extra: object) -> None:
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"event": event, "at": time.monotonic(), "started": started, **extra}) + "\n")

    def painted(clock: Gdk.FrameClock) -> None:
        clock.disconnect(painting)
        write("dialog-shown")

    def mapped(*_args: object) -> bool:
        nonlocal painting
        dialog.disconnect(handler)
        clock = dialog.get_frame_clock()
        painting = clock.connect("after-paint", painted)  # the first frame is on screen
        return False

    painting = 0

    handler = dialog.connect("map-event", mapped)
    if gallery is not None:
        gallery.on_finished = lambda shown: write("pictures", shown=shown)
