"""The provenance parasite on GIMP layers: written on each result, read to know a result and its source.

The record is the shared ``placement.provenance`` JSON; a result placed over its source (in the
same image) also names that source: ``"source": {"name": ..., "tattoo": ...}``. A tattoo is
unique in its image and kept in the XCF, so results are recognised after a reload, too.
"""

from __future__ import annotations

import json

from gi.repository import Gimp
from halloween_mask.placement import PARASITE_NAME


def label(layer: Gimp.Layer, name: str, record: bytes, source: Gimp.Layer | None = None) -> None:
    """Name ``layer`` and attach its provenance ``record`` (naming ``source`` when given), kept in the XCF."""
    layer.set_name(name)
    if source is not None:
        payload = json.loads(record)
        payload["source"] = {"name": source.get_name(), "tattoo": source.get_tattoo()}
        record = json.dumps(payload, sort_keys=True).encode()
    layer.attach_parasite(Gimp.Parasite.new(PARASITE_NAME, Gimp.PARASITE_PERSISTENT, list(record)))


def group_record(records: list[bytes]) -> bytes:
    """The provenance of a variants group: the first style's record, with every style and task in order."""
    payloads = [json.loads(record) for record in records]
    group = dict(payloads[0])
    group.pop("style", None)
    group.pop("task_id", None)
    group["styles"] = [payload["style"] for payload in payloads]
    group["task_ids"] = [payload["task_id"] for payload in payloads]
    return json.dumps(group, sort_keys=True).encode()


def record_of(item: Gimp.Item) -> dict | None:
    """The provenance record on ``item``, ``None`` when it is not a Halloween Mask result (or unreadable)."""
    parasite = item.get_parasite(PARASITE_NAME)
    if parasite is None:
        return None
    try:
        record = json.loads(bytes(value % 256 for value in parasite.get_data()).decode())  # signed chars
    except (UnicodeDecodeError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def made_over(item: Gimp.Item, source: Gimp.Layer) -> bool:
    """Whether ``item`` is a result (layer or variants group) placed over ``source``."""
    record = record_of(item)
    named = record.get("source") if record else None
    return isinstance(named, dict) and named.get("tattoo") == source.get_tattoo()


def source_of(layer: Gimp.Layer) -> Gimp.Layer | None:
    """The layer ``layer`` was made from, when it is a result whose source is still in its image."""
    record = record_of(layer)
    named = record.get("source") if record else None
    if not isinstance(named, dict) or not isinstance(named.get("tattoo"), int):
        return None
    source = layer.get_image().get_layer_by_tattoo(named["tattoo"])
    return source if source is not None and source.is_valid() and source != layer else None
