"""``trustgraph synth``: synthetic PKIs for benchmarks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trustgraph.cli.common import QuietOption, TableFormat, app, handle_errors, note, progress_for
from trustgraph.errors import UsageError
from trustgraph.output import Format, Tabular, envelope, render


@app.command()
@handle_errors
def synth(
    total: Annotated[
        str, typer.Argument(help="How many certificates: a number, or with k or m (100k, 1m).")
    ],
    out: Annotated[Path, typer.Option("--out", help="Folder to write (replaced).")] = Path(
        "synthetic-pki"
    ),
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same certificates.")] = 1,
    fmt: TableFormat = Format.TABLE,
    quiet: QuietOption = False,
) -> None:
    """Write a synthetic Web PKI of real, verifiable certificates: a few hundred roots, deep
    and wide intermediate trees, cross-certificates with cycles and bridge meshes, leaves,
    some expired, revoked or SHA-1; then print its shape. Load it with `trustgraph load
    OUT/certs` and `trustgraph case apply OUT/case.toml` (trust store "synth")."""
    from trustgraph.synthetic import generate

    count = parse_count(total)
    shape = generate(count, seed, out, progress=progress_for(quiet))
    document = envelope(
        "synth", {"total": count, "seed": seed, "out": str(out)}, {}, shape.as_dict()
    )
    table = Tabular(
        f"Synthetic PKI of {count} certificates (seed {seed}) in {out} ({shape.seconds:.0f} s)",
        ["measure", "value"],
    )
    table.rows += [[f"count: {kind}", n] for kind, n in shape.counts.items()]
    table.rows += [[f"CA depth {depth}", n] for depth, n in sorted(shape.ca_depths.items())]
    table.rows += [[f"leaf depth {depth}", n] for depth, n in sorted(shape.leaf_depths.items())]
    table.rows += [[f"cycles: {kind}", n] for kind, n in shape.cycles.items()]
    table.rows += [
        ["cross-certificates", shape.cross_certificates],
        [f"expired at {shape.as_dict()['expired_at']}", shape.expired],
        ["revoked (case.toml)", shape.revoked],
        ["SHA-1 signed", shape.sha1],
        ["reused serials", shape.reused_serials],
    ]
    table.rows += [[f"key pool: {kind}", n] for kind, n in shape.keys.items()]
    render(fmt, document, table)
    note(
        f"next: trustgraph load {out / 'certs'} && trustgraph case apply {out / 'case.toml'}", quiet
    )


def parse_count(text: str) -> int:
    """``100``, ``10k``, ``1m`` (also ``1M``, ``1_000_000``) as a number.

    Raises:
        UsageError: not a positive count.
    """
    cleaned = text.strip().lower().replace("_", "")
    factor = {"k": 1_000, "m": 1_000_000}.get(cleaned[-1:], 1)
    digits = cleaned[:-1] if factor > 1 else cleaned
    if not digits.isdigit() or int(digits) * factor < 10:
        raise UsageError(f"{text!r}: give a count of at least 10, such as 10k or 1m")
    return int(digits) * factor
