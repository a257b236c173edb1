"""Results shown in a notebook carry the table's facts, caveats and notes, and certificate
text stays text."""

from __future__ import annotations

from trustgraph.render.formats import Tabular
from trustgraph.render.notebook import html_table


def test_cells_are_escaped_and_caveats_kept() -> None:
    table = Tabular("Paths to <b>X</b>", ["anchor", "path"], notes=["a note & more"])
    table.add(['<script>alert("x")</script>', "A -> B"], ["revoked at an unknown date"])
    table.add(["Root", "A"])
    shown = html_table(table)
    assert "<script>" not in shown and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in shown
    assert "Paths to &lt;b&gt;X&lt;/b&gt;" in shown
    assert "<td>[1]</td>" in shown and "[1] revoked at an unknown date" in shown
    assert "a note &amp; more" in shown
    assert shown.count("<tr>") == 3
