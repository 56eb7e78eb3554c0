"""A gallery of the 85 mask styles for a ProcedureDialog: one tile per style, with its preview picture.

    gallery = StyleGallery(config, "mask-style", on_activate=lambda: dialog.response(Gtk.ResponseType.OK))
    dialog.get_content_area().pack_start(gallery, True, True, 0)
    gallery.start_previews()        # pictures arrive from the cache or the network, off the main thread
    ...
    gallery.close()                 # when the dialog ends

The config property stays the truth: a click writes it and the grid follows ``notify::<property>``
(Reset, Load Saved Settings, a script's values). With ``multiple=False`` the property is the
``Gimp.Choice`` of nicks ``mask-<N>``; with ``multiple=True`` it is a string property holding the
chosen numbers in order, e.g. ``"3,7,12"``, and Ctrl/Shift-click pick several tiles. Double-click
or Enter on a tile calls ``on_activate``. Each tile has a favourites star (kept beside the
client's settings); favourites, then recently used styles, come first. A search field ("Go to
style", Alt+G) jumps to a number. Every Gtk call happens on the main thread: the preview worker hands each picture over
with ``GLib.idle_add``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from pathlib import Path

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
gi.require_version("GdkPixbuf", "2.0")
from gi.repository import Gdk, GdkPixbuf, GLib, GObject, Gtk  # noqa: E402
from halloween_mask.errors import HalloweenMaskError  # noqa: E402
from halloween_mask.favourites import StylePicks  # noqa: E402
from halloween_mask.i18n import _  # noqa: E402
from halloween_mask.previews import FetchReport, PreviewCache, PreviewFetcher, preview_base  # noqa: E402
from halloween_mask.styles import STYLE_COUNT  # noqa: E402

from halloween_mask_gimp.log import log  # noqa: E402
from halloween_mask_gimp.request import nick_of, number_of  # noqa: E402

try:  # pycairo draws sharp tiles on HiDPI screens; without it (some GIMP builds) tiles are drawn at 1x
    gi.require_foreign("cairo")
    SHARP_HIDPI = True
except ImportError:
    SHARP_HIDPI = False

THUMB = 96  # logical pixels; times the scale factor on HiDPI screens
COLUMNS, ROWS = 5, 3  # tiles visible without scrolling at the default size
MAX_COLUMNS = 16
HOVER = 256  # the larger picture in a tile's tooltip (the previews are larger than the tiles)
PLACEHOLDER_RGBA = 0x3A3440FF
CSS = b"""
.hm-gallery flowboxchild { padding: 3px; border: 3px solid transparent; border-radius: 4px; }
.hm-gallery flowboxchild:selected { border-color: #ff8c00; background-color: rgba(255, 140, 0, 0.3); }
.hm-star { padding: 0 2px; min-height: 0; min-width: 0; }
"""


class _Tile(Gtk.FlowBoxChild):
    """One style: its picture (a numbered placeholder until it arrives), its number and a star."""

    def __init__(self, number: int, favourite: bool, on_star: Callable[[int, bool], None]) -> None:
        super().__init__(halign=Gtk.Align.CENTER)  # the selection frame hugs the picture in a wide grid
        self.number = number
        self.has_picture = False
        self.path: Path | None = None  # the preview picture, once it arrived
        self.set_has_tooltip(True)
        self.connect("query-tooltip", self._tooltip)  # hovering shows the picture larger
        box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL, spacing=2)
        self.image = Gtk.Image()
        self.image.set_size_request(THUMB, THUMB)
        box.pack_start(self.image, False, False, 0)
        caption = Gtk.Box(orientation=Gtk.Orientation.HORIZONTAL, spacing=2)
        caption.pack_start(Gtk.Label(label=str(number)), True, True, 0)
        self.star = Gtk.ToggleButton(label="★" if favourite else "☆", active=favourite, relief=Gtk.ReliefStyle.NONE)
        self.star.set_can_focus(False)  # the arrow keys move between tiles, not stars
        self.star.set_tooltip_text(_("Favourite: shown first"))
        self.star.get_style_context().add_class("hm-star")
        self.star.connect("toggled", self._starred, on_star)
        caption.pack_end(self.star, False, False, 0)
        box.pack_start(caption, False, False, 0)
        self.add(box)
        self.connect("key-press-event", self._key)

    def _key(self, _tile: Gtk.Widget, event: Gdk.EventKey) -> bool:
        """``*`` on the focused tile toggles its star, as a click on it does."""
        if event.keyval not in STAR_KEYS:
            return False
        self.star.set_active(not self.star.get_active())
        return True

    def _starred(self, button: Gtk.ToggleButton, on_star: Callable[[int, bool], None]) -> None:
        button.set_label("★" if button.get_active() else "☆")
        on_star(self.number, button.get_active())

    def _tooltip(self, _tile: Gtk.Widget, _x: int, _y: int, _keyboard: bool, tooltip: Gtk.Tooltip) -> bool:
        tooltip.set_text(_("Mask {number}").format(number=self.number))
        if self.path is not None:
            with contextlib.suppress(GLib.Error):  # a damaged cache file: the text alone
                tooltip.set_icon(GdkPixbuf.Pixbuf.new_from_file_at_scale(str(self.path), HOVER, HOVER, True))
        return True

    def show_placeholder(self, scale: int) -> None:
        pixbuf = GdkPixbuf.Pixbuf.new(GdkPixbuf.Colorspace.RGB, True, 8, THUMB * scale, THUMB * scale)
        pixbuf.fill(PLACEHOLDER_RGBA)
        self._set(pixbuf, scale)

    def show_picture(self, path: Path, scale: int) -> bool:
        try:
            pixbuf = GdkPixbuf.Pixbuf.new_from_file_at_scale(str(path), THUMB * scale, THUMB * scale, True)
        except GLib.Error:
            return False
        self._set(pixbuf, scale)
        self.has_picture = True
        self.path = path
        return True

    def _set(self, pixbuf: GdkPixbuf.Pixbuf, scale: int) -> None:
        if scale > 1:
            self.image.set_from_surface(Gdk.cairo_surface_create_from_pixbuf(pixbuf, scale, None))
        else:
            self.image.set_from_pixbuf(pixbuf)


STAR_KEYS = (Gdk.KEY_asterisk, Gdk.KEY_KP_Multiply)  # the focused tile's star, from the keyboard


class _Grid(Gtk.FlowBox):
    """The tiles. The arrow keys move within them; Tab and Shift+Tab only enter (on the chosen tile)
    or leave them, never move from tile to tile, so the keyboard cannot change the style in passing
    (GTK's FlowBox takes Tab as "next tile", and in browse mode the selection follows)."""

    TABS = (Gtk.DirectionType.TAB_FORWARD, Gtk.DirectionType.TAB_BACKWARD)

    def __init__(self, chosen: Callable[[], list[int]], **properties: object) -> None:
        super().__init__(**properties)
        self.chosen = chosen  # the chosen style numbers, the first one is where Tab enters

    def do_focus(self, direction: Gtk.DirectionType) -> bool:
        if direction not in self.TABS:
            return Gtk.FlowBox.do_focus(self, direction)
        if self.get_focus_child() is not None:  # a tile has the focus: Tab leaves the gallery
            return False
        tiles = {child.number: child for child in self.get_children()}
        chosen = [tiles[n] for n in self.chosen() if n in tiles] or [self.get_child_at_index(0)]
        if chosen[0] is None:
            return False
        chosen[0].grab_focus()
        return True


class StyleGallery(Gtk.Box):
    """Search field, grid of tiles and a one-line notice, bound to a config property (see the module)."""

    def __init__(
        self,
        config: GObject.Object,
        prop: str = "mask-style",
        *,
        multiple: bool = False,
        on_activate: Callable[[], object] | None = None,
        picks: StylePicks | None = None,
    ) -> None:
        super().__init__(orientation=Gtk.Orientation.VERTICAL, spacing=6)
        self.config, self.prop, self.multiple = config, prop, multiple
        self.on_activate = on_activate
        self.on_finished: Callable[[int], object] | None = None  # called with the pictures shown
        self.picks = picks or StylePicks.beside_settings()
        self.fetcher: PreviewFetcher | None = None
        self._closed = False
        self._syncing = False
        _install_css()

        self.search = Gtk.SearchEntry(placeholder_text=_("Style number, e.g. 37"))
        self.search.connect("search-changed", self._searched)
        self.search.connect("activate", self._searched)
        title = Gtk.Label.new_with_mnemonic(_("_Go to style"))  # Alt+G reaches the field
        title.set_mnemonic_widget(self.search)
        row = Gtk.Box(orientation=Gtk.Orientation.HORIZONTAL, spacing=6)
        row.pack_start(title, False, False, 0)
        row.pack_start(self.search, True, True, 0)
        self.pack_start(row, False, False, 0)
        self._plain_click: int | None = None  # the tile a plain click (no Ctrl/Shift) is on, until it selects

        self.grid = _Grid(
            self.chosen,
            homogeneous=True,
            activate_on_single_click=False,  # a click selects; double-click or Enter runs
            selection_mode=Gtk.SelectionMode.MULTIPLE if multiple else Gtk.SelectionMode.BROWSE,
            min_children_per_line=COLUMNS,
            max_children_per_line=MAX_COLUMNS,  # a maximised dialog shows more columns, not wider tiles
            row_spacing=2,
            column_spacing=2,
        )
        self.grid.get_style_context().add_class("hm-gallery")
        favourites = set(self.picks.favourites)
        first = self.picks.first()  # the order as the dialog opens: favourites, then recent styles
        self._rank = {n: first.index(n) if n in first else len(first) + n for n in range(1, STYLE_COUNT + 1)}
        self.tiles = {n: _Tile(n, n in favourites, self._star) for n in range(1, STYLE_COUNT + 1)}
        for tile in self.tiles.values():
            self.grid.add(tile)
        self.grid.set_sort_func(self._order)
        scroller = Gtk.ScrolledWindow(hscrollbar_policy=Gtk.PolicyType.NEVER)
        scroller.set_min_content_width(COLUMNS * (THUMB + 24))
        scroller.set_min_content_height(ROWS * (THUMB + 44))
        scroller.add(self.grid)
        self.grid.set_vadjustment(scroller.get_vadjustment())  # the focused tile scrolls into view
        self.pack_start(scroller, True, True, 0)

        if multiple:  # how to pick several, said under the tiles (which stay where they are)
            hint = _("Click styles to add or remove them; the layers come in the order you pick them.")
            self.pack_start(Gtk.Label(label=hint, xalign=0.0, wrap=True), False, False, 0)
        self.notice = Gtk.Label(xalign=0.0, no_show_all=True)
        self.pack_start(self.notice, False, False, 0)

        for tile in self.tiles.values():
            tile.show_placeholder(self._scale())
        self.grid.connect("selected-children-changed", self._picked)
        self.grid.connect("button-press-event", self._pressed)
        self.grid.connect("child-activated", self._activated)
        self.grid.connect("map", self._focus_chosen)
        self._notify = config.connect(f"notify::{prop}", self._property_changed)
        self._property_changed()

    # -- the property and the grid, in step
    def chosen(self) -> list[int]:
        """The style numbers the property holds."""
        value = self.config.get_property(self.prop) or ""
        if self.multiple:
            return [n for n in (number_of(nick_of(part.strip())) for part in value.split(",")) if n]
        number = number_of(value)
        return [number] if number else []

    def _property_changed(self, *_args: object) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            chosen = self.chosen()
            self.grid.unselect_all()
            for number in chosen:
                self.grid.select_child(self.tiles[number])
            if not self._typing_elsewhere():
                self._focus_chosen()
        finally:
            self._syncing = False

    def _focus_chosen(self, *_args: object) -> None:
        """Keyboard focus on the (first) chosen tile, so the arrow keys start from it."""
        chosen = self.chosen()
        if chosen and self.get_mapped():
            self.tiles[chosen[0]].grab_focus()

    def _typing_elsewhere(self) -> bool:
        """Whether a text field has the focus (the variants' typed list): a tile must not take it away."""
        window = self.get_toplevel()
        return isinstance(window, Gtk.Window) and isinstance(window.get_focus(), Gtk.Editable)

    def _pressed(self, grid: Gtk.FlowBox, event: Gdk.EventButton) -> bool:
        """Note a plain click on a tile (multiple mode): it adds or removes that style, as Ctrl-click does."""
        modifiers = event.state & (Gdk.ModifierType.CONTROL_MASK | Gdk.ModifierType.SHIFT_MASK)
        tile = grid.get_child_at_pos(int(event.x), int(event.y))
        plain = self.multiple and event.button == 1 and not modifiers and tile is not None
        self._plain_click = tile.number if plain else None
        return False  # GTK goes on: the release selects, and _picked turns that into add or remove

    def _picked(self, _grid: Gtk.FlowBox) -> None:
        if self._syncing:
            return
        selected = [child.number for child in self.grid.get_selected_children()]
        if not self.multiple:
            if selected:
                self._write(nick_of(selected[0]))
            return
        before = self.chosen()
        clicked, self._plain_click = self._plain_click, None
        if clicked is not None:  # a plain click: that one style in or out, the others kept
            numbers = [n for n in before if n != clicked] if clicked in before else [*before, clicked]
        else:  # Ctrl/Shift-click or keys: the pick order of those kept, new ones after them
            numbers = [n for n in before if n in selected] + sorted(set(selected) - set(before))
        self._write(",".join(map(str, numbers)))
        if clicked is not None:  # GTK selected only the clicked tile: show the whole list again
            self._syncing = True
            try:
                self.grid.unselect_all()
                for number in numbers:
                    self.grid.select_child(self.tiles[number])
            finally:
                self._syncing = False

    def _write(self, value: str) -> None:
        self._syncing = True
        try:
            self.config.set_property(self.prop, value)
        finally:
            self._syncing = False

    def _activated(self, _grid: Gtk.FlowBox, tile: _Tile) -> None:
        if not self.multiple:
            self.grid.select_child(tile)
        if self.on_activate is not None:
            self.on_activate()

    def _searched(self, entry: Gtk.SearchEntry) -> None:
        text = entry.get_text().strip()
        number = int(text) if text.isdigit() else 0
        if 1 <= number <= STYLE_COUNT:
            tile = self.tiles[number]
            if not self.multiple:
                self.grid.select_child(tile)  # writes the property through _picked
            tile.grab_focus()
            entry.grab_focus_without_selecting()

    # -- favourites first
    def _star(self, number: int, favourite: bool) -> None:
        """Keep the favourite; the tiles stay where they are (under the pointer) until the dialog reopens."""
        self.picks.set_favourite(number, favourite)

    def _order(self, a: _Tile, b: _Tile) -> int:
        return self._rank[a.number] - self._rank[b.number]

    # -- pictures
    def start_previews(self) -> None:
        """Fetch the pictures on a worker thread (cache first); the dialog stays usable meanwhile."""
        if self.fetcher is not None:
            return
        try:
            base = preview_base()
            self.fetcher = PreviewFetcher(base, PreviewCache.for_base(base))
        except HalloweenMaskError as error:
            self._show_notice(_("Previews are off: {reason}").format(reason=error.message))
            return
        threading.Thread(target=self._fetch, args=(self.fetcher,), name="previews", daemon=True).start()

    def _fetch(self, fetcher: PreviewFetcher) -> None:  # worker thread: no Gtk here
        report = fetcher.fetch_all(on_ready=lambda n, path: GLib.idle_add(self._arrived, n, path))
        GLib.idle_add(self._finished, report)

    def _arrived(self, number: int, path: Path) -> bool:
        if not self._closed:
            self.tiles[number].show_picture(path, self._scale())
        return GLib.SOURCE_REMOVE

    def _finished(self, report: FetchReport) -> bool:
        if not self._closed and report.failed:
            missing = len(report.failed)
            why = _("the preview host cannot be reached") if report.unreachable else next(iter(report.failed.values()))
            text = _("{missing} of {count} previews not shown ({reason}); styles are numbered.")
            self._show_notice(text.format(missing=missing, count=STYLE_COUNT, reason=why))
        if not self._closed and self.on_finished is not None:
            self.on_finished(self.pictures_shown())
        return GLib.SOURCE_REMOVE

    def _show_notice(self, text: str) -> None:
        log(f"gallery: {text}")
        self.notice.set_text(text)
        self.notice.set_tooltip_text(text)
        self.notice.show()

    def _scale(self) -> int:
        """Device pixels per logical pixel for the tiles' pictures."""
        return self.get_scale_factor() if SHARP_HIDPI else 1

    def pictures_shown(self) -> int:
        return sum(tile.has_picture for tile in self.tiles.values())

    def close(self) -> None:
        """Stop fetching and stop following the property (call when the dialog ends)."""
        self._closed = True
        if self.fetcher is not None:
            self.fetcher.close()
        self.config.disconnect(self._notify)


_css_installed = False


def _install_css() -> None:
    global _css_installed
    if _css_installed:
        return
    provider = Gtk.CssProvider()
    provider.load_from_data(CSS)
    Gtk.StyleContext.add_provider_for_screen(
        Gdk.Screen.get_default(), provider, Gtk.STYLE_PROVIDER_PRIORITY_APPLICATION
    )
    _css_installed = True
