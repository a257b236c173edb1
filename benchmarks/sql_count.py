"""Count the SQL statements one command runs (every statement the storage layer sends,
traced on each connection it opens).

    python -m benchmarks.sql_count -- impact --distrust-owner WoSign --store mozilla \
        --at 2016-12-01 --db trustgraph-demo/trustgraph.db
"""

from __future__ import annotations

import sqlite3
import sys
from collections import Counter
from typing import Any

from typer.main import get_command

_CONNECT = sqlite3.connect
statements: Counter[str] = Counter()


def _counted(*args: Any, **kwargs: Any) -> sqlite3.Connection:
    connection: sqlite3.Connection = _CONNECT(*args, **kwargs)
    connection.set_trace_callback(lambda text: statements.update([text.split(None, 1)[0]]))
    return connection


def main(argv: list[str]) -> int:
    """Run the command in ``argv`` in this process; print the statement counts on stderr."""
    sqlite3.connect = _counted  # type: ignore[assignment]
    from trustgraph.cli import app

    try:
        get_command(app).main(argv, prog_name="trustgraph", standalone_mode=False)
    finally:
        total = sum(statements.values())
        kinds = ", ".join(f"{k} {n}" for k, n in statements.most_common())
        print(f"{total} SQL statements ({kinds})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main([a for a in sys.argv[1:] if a != "--"]))
