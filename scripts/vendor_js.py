"""Copy the pinned npm packages that maps inline into ``trustgraph/render/vendor`` (and
the one the tests use to read exports, into ``tests/vendor``).

``python scripts/vendor_js.py`` installs the pinned versions with npm in a temporary folder
(npm checks each package against the registry's integrity hash) and copies the files and
licences the package ships; ``--check`` compares instead and exits 1 on any difference.
Needs ``npm`` and the npm registry; the tests never run it.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "trustgraph" / "render" / "vendor"
TEST_VENDOR = ROOT / "tests" / "vendor"
PACKAGES = {
    "sigma": (
        "3.0.2",
        {"dist/sigma.min.js": VENDOR / "sigma.min.js", "LICENSE.txt": VENDOR / "LICENSE-sigma.txt"},
    ),
    "graphology": (
        "0.26.0",
        {
            "dist/graphology.umd.min.js": VENDOR / "graphology.umd.min.js",
            "LICENSE.txt": VENDOR / "LICENSE-graphology.txt",
        },
    ),
    "cytoscape": (
        "3.35.0",
        {
            "dist/cytoscape.min.js": TEST_VENDOR / "cytoscape.min.js",
            "LICENSE": TEST_VENDOR / "LICENSE-cytoscape.txt",
        },
    ),
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare, do not copy")
    check = parser.parse_args().check
    differ = []
    with tempfile.TemporaryDirectory() as folder:
        specs = [f"{name}@{version}" for name, (version, _files) in PACKAGES.items()]
        subprocess.run(
            ["npm", "install", "--no-save", "--ignore-scripts", "--prefix", folder, *specs],
            check=True,
            capture_output=True,
        )
        for name, (_version, files) in PACKAGES.items():
            for source, target in files.items():
                got = Path(folder) / "node_modules" / name / source
                if check:
                    if got.read_bytes() != target.read_bytes():
                        differ.append(target)
                else:
                    target.parent.mkdir(exist_ok=True)
                    shutil.copyfile(got, target)
    for target in differ:
        print(f"{target.relative_to(ROOT)} differs from the pinned package", file=sys.stderr)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
