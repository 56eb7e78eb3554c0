"""The history dialog: every kept result as a thumbnail, newest first; Insert, Save As…, Delete, Clear all.

    entry = choose_entry(History.for_user(), image, layer)   # None: closed without inserting

One ``Gtk.IconView`` over a ``Gtk.ListStore`` (one widget, however many entries: a thousand stay
responsive), "This image" or "All" above it. Each tile shows the result's thumbnail, its style
(or "template"), when it was made and its source. Thumbnails come from the history's own table
(stored once, read for all entries in one query); those not stored yet are made from the kept
image with GdkPixbuf (no Pillow in GIMP's Python) on a worker thread, which hands each one to
the main loop with ``GLib.idle_add`` and stores it for the next opening. Double-click, Enter
or the Insert key inserts the selected result; Delete and Clear all (after a question) change
the history at once; nothing is sent anywhere.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import gi

gi.require_version("GimpUi", "3.0")
gi.require_version("Gtk", "3.0")
gi.require_version("Gdk", "3.0")
gi.require_version("GdkPixbuf", "2.0")
from gi.repository import Gdk, GdkPixbuf, Gimp, GimpUi, GLib, Gtk, Pango  # noqa: E402
from halloween_mask.history import History  # noqa: E402
from halloween_mask.history_entry import Entry  # noqa: E402
from halloween_mask.i18n import N_, _, ngettext  # noqa: E402

from halloween_mask_gimp.kept import image_prefix, when_text  # noqa: E402
from halloween_mask_gimp.log import TIMINGS_ENV, log  # noqa: E402
from halloween_mask_gimp.thumbs import THUMB, decode, placeholder, thumbnail_bytes, thumbnail_pixbuf  # noqa: E402

TITLE = N_("Halloween Mask History")  # the window's title (translated when shown)
COL_ID, COL_PIXBUF, COL_TEXT, COL_TIP = range(4)
RESPONSE_SAVE, RESPONSE_DELETE, RESPONSE_CLEAR = 1, 2, 3
HAND_EVERY = 0.25  # seconds between the thumbnails the worker makes and hands to the main loop


def choose_entry(history: History, image: Gimp.Image, layer: Gimp.Layer | None) -> Entry | None:
    """Show the dialog until Insert (the chosen entry) or Close (``None``)."""
    GimpUi.init("python-fu-halloween-mask-history")
    started = time.monotonic()
    view = HistoryDialog(history, image_prefix(image))
    try:
        return view.run(started)
    finally:
        view.close()


class HistoryDialog:
    """The dialog and its worker; ``run`` answers the buttons until Insert or Close."""

    def __init__(self, history: History, prefix: str) -> None:
        self.history = history
        self.prefix = prefix
        self.all_entries = history.entries()
        self.by_id = {entry.id: entry for entry in self.all_entries}
        self.pixbufs: dict[int, GdkPixbuf.Pixbuf] = {}
        self.stop = threading.Event()
        self.worker: threading.Thread | None = None
        self.placeholder = placeholder()
        self.dialog = GimpUi.Dialog(title=_(TITLE), role="halloween-mask-history", modal=True)
        self.dialog.add_button(_("_Save As..."), RESPONSE_SAVE)
        self.dialog.add_button(_("_Delete"), RESPONSE_DELETE)
        self.dialog.add_button(_("C_lear All..."), RESPONSE_CLEAR)
        self.dialog.add_button(_("_Close"), Gtk.ResponseType.CLOSE)
        self.dialog.add_button(_("_Insert"), Gtk.ResponseType.OK)
        self.dialog.set_default_response(Gtk.ResponseType.OK)
        self.dialog.set_default_size(760, 560)
        self.store = Gtk.ListStore(int, GdkPixbuf.Pixbuf, str, str)
        self.rows: dict[int, Gtk.TreeIter] = {}
        self.view = self._icon_view()
        self.this_image = Gtk.RadioButton.new_with_mnemonic(None, _("_This image"))
        self.everything = Gtk.RadioButton.new_with_mnemonic_from_widget(self.this_image, _("_All"))
        self.summary = Gtk.Label(xalign=1.0)
        self._layout()
        ours = any(entry.source.startswith(prefix) for entry in self.all_entries)
        (self.this_image if ours else self.everything).set_active(True)
        self.this_image.connect("toggled", lambda *_a: self._fill())
        self._fill()
        self.dialog.connect("key-press-event", self._key)

    def _icon_view(self) -> Gtk.IconView:
        view = Gtk.IconView(model=self.store)
        view.set_pixbuf_column(COL_PIXBUF)
        view.set_markup_column(COL_TEXT)
        view.set_tooltip_column(COL_TIP)
        view.set_item_width(THUMB + 16)
        view.set_selection_mode(Gtk.SelectionMode.BROWSE)
        view.set_activate_on_single_click(False)
        view.connect("item-activated", lambda *_a: self.dialog.response(Gtk.ResponseType.OK))
        view.connect("selection-changed", lambda *_a: self._follow_selection())
        for cell in view.get_cells():
            if isinstance(cell, Gtk.CellRendererText):
                cell.set_property("ellipsize", Pango.EllipsizeMode.MIDDLE)
        return view

    def _layout(self) -> None:
        top = Gtk.Box(orientation=Gtk.Orientation.HORIZONTAL, spacing=12, border_width=6)
        top.pack_start(Gtk.Label(label=_("Show:")), False, False, 0)
        top.pack_start(self.this_image, False, False, 0)
        top.pack_start(self.everything, False, False, 0)
        top.pack_end(self.summary, True, True, 0)
        scrolled = Gtk.ScrolledWindow(hscrollbar_policy=Gtk.PolicyType.NEVER, shadow_type=Gtk.ShadowType.IN)
        scrolled.add(self.view)
        self.empty = Gtk.Label(
            label=_("No kept results yet: every mask you pay for is kept here, to insert again for free."),
            wrap=True,
        )
        area = self.dialog.get_content_area()
        area.pack_start(top, False, False, 0)
        area.pack_start(scrolled, True, True, 0)
        area.pack_start(self.empty, False, False, 6)
        area.show_all()

    def shown(self) -> list[Entry]:
        """The entries the view lists now, newest first."""
        if self.everything.get_active():
            return list(self.all_entries)
        return [entry for entry in self.all_entries if entry.source.startswith(self.prefix)]

    def _fill(self) -> None:
        """(Re)list the entries of the chosen scope; thumbnails already made are shown at once."""
        self.store.clear()
        entries = self.shown()
        self.rows = {  # a ListStore's iters stay valid while the row exists
            entry.id: self.store.append(
                [entry.id, self.pixbufs.get(entry.id, self.placeholder), _caption(entry), _tooltip(entry)]
            )
            for entry in entries
        }
        if entries:
            self.view.select_path(Gtk.TreePath.new_first())
        count, size = len(self.all_entries), sum(entry.size for entry in self.all_entries)
        self.summary.set_text(
            ngettext("{count} result kept ({size})", "{count} results kept ({size})", count).format(
                count=count, size=GLib.format_size(size)
            )
        )
        self.empty.set_visible(not entries)
        self._follow_selection()
        scope = "all" if self.everything.get_active() else "this image"
        log(f"history dialog: {len(entries)} of {count} results shown ({scope})")

    def _follow_selection(self) -> None:
        chosen = self.selected() is not None
        for response in (Gtk.ResponseType.OK, RESPONSE_SAVE, RESPONSE_DELETE):
            self.dialog.set_response_sensitive(response, chosen)
        self.dialog.set_response_sensitive(RESPONSE_CLEAR, bool(self.all_entries))

    def selected(self) -> Entry | None:
        paths = self.view.get_selected_items()
        if not paths:
            return None
        return self.by_id.get(self.store[paths[0]][COL_ID])

    def _key(self, _widget: Gtk.Widget, event: Gdk.EventKey) -> bool:
        if event.keyval in (Gdk.KEY_Insert, Gdk.KEY_KP_Insert) and self.selected() is not None:
            self.dialog.response(Gtk.ResponseType.OK)
            return True
        if event.keyval == Gdk.KEY_Delete and self.selected() is not None:
            self.dialog.response(RESPONSE_DELETE)
            return True
        return False

    def run(self, started: float) -> Entry | None:
        self._timings(started)
        self.dialog.connect("map-event", lambda *_a: self._start_thumbnails())
        self.dialog.show()
        while True:
            response = self.dialog.run()
            entry = self.selected()
            if response == Gtk.ResponseType.OK and entry is not None:
                return entry
            if response == RESPONSE_SAVE and entry is not None:
                self._save(entry)
            elif response == RESPONSE_DELETE and entry is not None:
                self._delete(entry)
            elif response == RESPONSE_CLEAR:
                self._clear()
            elif response not in (RESPONSE_SAVE, RESPONSE_DELETE):
                return None

    def close(self) -> None:
        self.stop.set()
        self.dialog.destroy()

    # -- the buttons
    def _save(self, entry: Entry) -> None:
        chooser = Gtk.FileChooserNative.new(_("Save the Result"), self.dialog, Gtk.FileChooserAction.SAVE, None, None)
        chooser.set_do_overwrite_confirmation(True)
        chooser.set_current_name(f"halloween-mask-{entry.id}.{_extension(entry)}")
        if chooser.run() == Gtk.ResponseType.ACCEPT and chooser.get_filename():
            path = Path(chooser.get_filename())
            try:
                saved = self.history.save(entry.id, path)
            except OSError as error:
                saved = False
                log(f"history: cannot save entry {entry.id}: {error}")
            if not saved:
                Gimp.message(_("The result could not be saved to {path}.").format(path=path))
        chooser.destroy()

    def _delete(self, entry: Entry) -> None:
        if self.history.delete(entry.id):
            log(f"history: deleted entry {entry.id}")
        self._reload()

    def _clear(self) -> None:
        count = len(self.all_entries)
        question = Gtk.MessageDialog(
            title=_("Clear the History"),
            transient_for=self.dialog,
            modal=True,
            message_type=Gtk.MessageType.QUESTION,
            buttons=Gtk.ButtonsType.NONE,
            text=ngettext("Delete {count} kept result?", "Delete all {count} kept results?", count).format(count=count),
            secondary_text=_("They cannot be inserted again for free afterwards. This cannot be undone."),
        )
        question.add_button(_("_Cancel"), Gtk.ResponseType.CANCEL)
        question.add_button(_("_Delete All"), Gtk.ResponseType.ACCEPT)
        question.set_default_response(Gtk.ResponseType.CANCEL)
        answer = question.run()
        question.destroy()
        if answer == Gtk.ResponseType.ACCEPT:
            log(f"history: cleared {self.history.clear()} entries")
            self._reload()

    def _reload(self) -> None:
        self.all_entries = self.history.entries()
        self.by_id = {entry.id: entry for entry in self.all_entries}
        self._fill()

    # -- thumbnails, off the main thread
    def _start_thumbnails(self) -> bool:
        if self.worker is None:
            ids = [entry.id for entry in self.shown()] + [entry.id for entry in self.all_entries]
            order = list(dict.fromkeys(ids))  # the scope shown first
            self.worker = threading.Thread(target=self._thumbnails, args=(order,), name="history", daemon=True)
            self.worker.start()
        return False

    def _thumbnails(self, order: Sequence[int]) -> None:  # worker thread: no Gtk, no Gimp
        """Stored thumbnails all at once (one relayout of the view), then those made here, a few at a time."""
        stored = self.history.thumbnails(order)
        first = [(entry_id, thumbnail_pixbuf(stored[entry_id])) for entry_id in order if entry_id in stored]
        ready = [(entry_id, pixbuf) for entry_id, pixbuf in first if pixbuf is not None]
        done = {entry_id for entry_id, _pixbuf in ready}
        GLib.idle_add(self._show_thumbnails, ready)
        ready, handed = [], time.monotonic()
        for entry_id in order:
            if self.stop.is_set():
                return
            if entry_id in done:
                continue
            pixbuf = self._make_thumbnail(entry_id)
            if pixbuf is not None:
                ready.append((entry_id, pixbuf))
            if ready and time.monotonic() - handed > HAND_EVERY:
                GLib.idle_add(self._show_thumbnails, ready)
                ready, handed = [], time.monotonic()
        GLib.idle_add(self._show_thumbnails, ready, True)

    def _make_thumbnail(self, entry_id: int) -> GdkPixbuf.Pixbuf | None:
        images = self.history.images(entry_id)
        pixbuf = decode(images[0], THUMB) if images else None
        if pixbuf is not None:
            self.history.set_thumbnail(entry_id, thumbnail_bytes(pixbuf))
        return pixbuf

    def _show_thumbnails(self, ready: list[tuple[int, GdkPixbuf.Pixbuf]], last: bool = False) -> bool:
        self.pixbufs.update(ready)
        for entry_id, pixbuf in ready:
            row = self.rows.get(entry_id)
            if row is not None:
                self.store.set_value(row, COL_PIXBUF, pixbuf)
        if last:
            self._finished()
        return False

    def _finished(self) -> None:
        """Every thumbnail is in (for the benchmark's timings)."""

    def _timings(self, started: float) -> None:
        """With ``HALLOWEEN_MASK_TIMINGS``, append when the dialog was first drawn and when every thumbnail was in."""
        path = os.environ.get(TIMINGS_ENV)
        if not path:
            return

        def write(event: str, **extra: object) -> None:
            with open(path, "a", encoding="utf-8") as handle:
                record = {"event": event, "at": time.monotonic(), "started": started, "dialog": "history", **extra}
                handle.write(json.dumps(record) + "\n")

        def mapped(*_args: object) -> bool:
            clock = self.dialog.get_frame_clock()
            handler = 0

            def painted(frame_clock: Gdk.FrameClock) -> None:
                frame_clock.disconnect(handler)
                write("dialog-shown", entries=len(self.all_entries))

            handler = clock.connect("after-paint", painted)
            return False

        self.dialog.connect("map-event", mapped)
        self._finished = lambda: write("pictures", shown=len(self.pixbufs))  # type: ignore[method-assign]


def _style_text(entry: Entry) -> str:
    return _("template") if entry.template or entry.style is None else _("Style {number}").format(number=entry.style)


def _caption(entry: Entry) -> str:
    source = GLib.markup_escape_text(entry.source or _("unknown source"))
    return f"<b>{GLib.markup_escape_text(_style_text(entry))}</b>\n{when_text(entry.created)}\n<small>{source}</small>"


def _tooltip(entry: Entry) -> str:
    text = _("{style} · {width}×{height} · made {when} from {source} (task {task})").format(  # noqa: RUF001
        style=_style_text(entry), width=entry.width, height=entry.height, when=when_text(entry.created),
        source=entry.source or "?", task=entry.task_id,
    )  # fmt: skip
    return GLib.markup_escape_text(text)


def _extension(entry: Entry) -> str:
    return {"jpeg": "jpg", "webp": "webp"}.get(entry.format.lower(), "png")
