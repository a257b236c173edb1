"""Tables for people, CSV and Markdown: the same rows and caveats, fitted to the terminal."""

from __future__ import annotations

import csv
import io

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzzing import fuzz
from trustgraph.render.formats import Tabular, column_widths, print_table, to_markdown, write_csv

FINGERPRINT = "1092c43d57bcda0af70291e37fdde88b02de83e3f4013272d4ca2ae3c7498fe4"


def _table() -> Tabular:
    table = Tabular("Paths", ["#", "anchor", "certificates"], notes=["cut by max_paths"])
    table.add([1, "Certum CA", FINGERPRINT], ["revoked by 2021-04-05 (date unknown)"])
    table.add([2, "Example Root", "ab" * 32])
    table.add([3, "Certum CA", "cd" * 32], ["revoked by 2021-04-05 (date unknown)", "declared"])
    return table


def test_each_distinct_caveat_is_one_numbered_footnote() -> None:
    markers, notes = _table().footnotes()
    assert markers == ["[1]", "", "[1,2]"]
    assert notes == [("[1]", "revoked by 2021-04-05 (date unknown)"), ("[2]", "declared")]


def test_csv_keeps_whole_fingerprints_and_a_caveats_column() -> None:
    out = io.StringIO()
    write_csv(_table(), out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["#", "anchor", "certificates", "caveats"]
    assert rows[1] == ["1", "Certum CA", FINGERPRINT, "revoked by 2021-04-05 (date unknown)"]
    assert rows[3][3] == "revoked by 2021-04-05 (date unknown); declared"


def test_markdown_has_markers_footnotes_and_notes() -> None:
    text = to_markdown(_table())
    assert "| # | anchor | certificates | notes |" in text
    assert f"| 1 | Certum CA | {FINGERPRINT} | [1] |" in text
    assert "[2] declared  " in text and "> cut by max\\_paths" in text


def test_a_table_abbreviates_fingerprints_and_fits() -> None:
    out = io.StringIO()
    print_table(_table(), out)
    text = out.getvalue()
    assert "1092c43d57bc…" in text and FINGERPRINT not in text.split("[1]")[0]
    assert "cut by max_paths" in text


def test_a_narrow_terminal_gets_records() -> None:
    table = Tabular("Wide", ["name", "description"])
    table.add(["Organisation", "word " * 40])
    widths = column_widths(15, table.columns, [["Organisation", "word " * 40]])
    assert widths is None


words = st.text(alphabet="abcdefghij…", min_size=1, max_size=14)
cells = st.lists(words, min_size=1, max_size=5).map(" ".join)


@fuzz(100)
@given(
    width=st.integers(min_value=20, max_value=200),
    rows=st.lists(st.lists(cells, min_size=3, max_size=3), min_size=1, max_size=6),
)
def test_widths_fit_and_break_no_word(width: int, rows: list[list[str]]) -> None:
    columns = ["one", "two", "three"]
    widths = column_widths(width, columns, rows)
    longest = [
        max(len(w) for cell in [column, *(row[i] for row in rows)] for w in cell.split())
        for i, column in enumerate(columns)
    ]
    if widths is None:
        assert sum(longest) + 3 * len(columns) - 1 > width
    else:
        assert sum(widths) + 3 * len(columns) - 1 <= width
        assert all(w >= n for w, n in zip(widths, longest, strict=True))
