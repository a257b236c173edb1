"""``python -m trustgraph``."""

from trustgraph.cli import main

main()
