"""The example notebook runs top to bottom in a real Jupyter kernel and shows what it says:
the anchors reaching WoSign's CAs, the ways in without WoSign's roots, the map inline, and
networkx working on the exported graph."""

from __future__ import annotations

from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "wosign.ipynb"


def test_the_example_notebook_runs(tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    outputs = [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
    assert "StartCom Certification Authority ->" in text  # a way in without WoSign's roots
    assert "CA 沃通根证书" not in text.splitlines()  # WoSign's own roots are left out there
    html = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})]
    assert len(html) == 2
    table, frame = html
    assert table.startswith("<div><strong>Anchors reaching") and "StartCom" in table
    assert frame.startswith("<iframe") and 'sandbox="allow-scripts"' in frame
