"""CI's two workers (``-n 2 --dist loadgroup``): every GIMP test of one series is one unit of work."""

from __future__ import annotations

import pytest
from xdist_support import gimp_group, series_scheduler


@pytest.mark.parametrize(
    ("nodeid", "group"),
    [
        ("tests/gimp/test_gimp_smoke.py::test_plugin_registers_under_filters_ai[gimp-3.0]", "gimp-3.0"),
        ("tests/gimp/test_plugin_i18n.py::test_the_menu_and_the_dialog_in_the_users_language[gimp-3.2-ja]", "gimp-3.2"),
        ("tests/gimp/test_x.py::TestY::test_z[de-gimp-3.0-7]", "gimp-3.0"),
        ("tests/gimp/test_x.py::test_no_series", None),
        ("tests/test_installer.py::test_check[gimp-3.0]", None),  # not a GIMP test: spread like the others
        ("tests/gimp/test_x.py::test_y[xgimp-3.0]", None),
    ],
)
def test_the_group_is_the_series_in_a_gimp_tests_id(nodeid: str, group: str | None) -> None:
    assert gimp_group(nodeid) == group


def test_the_scheduler_puts_each_series_in_one_unit_and_spreads_the_rest(
    pytestconfig: pytest.Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("xdist")
    monkeypatch.setattr(pytestconfig.option, "tx", ["popen", "popen"], raising=False)  # what -n 2 sets
    scheduler = series_scheduler(pytestconfig, log=None)
    ids = [
        f"tests/gimp/test_a.py::test_{n}[gimp-{s}{extra}]"
        for s in ("3.0", "3.2")
        for n in range(3)
        for extra in ("", "-de")
    ]
    ids += ["tests/test_b.py::test_1", "tests/test_b.py::test_2"]
    scopes = {scheduler._split_scope(nodeid) for nodeid in ids}
    assert scopes == {"gimp-3.0", "gimp-3.2", "tests/test_b.py::test_1", "tests/test_b.py::test_2"}
