"""A real Neo4j Community 5.26 for the tests, started from Maven Central artifacts.

``maven-dependency-plugin`` (pinned) resolves the classpath of ``tests/neo4j/pom.xml`` once
(cached under ``~/.cache/trustgraph`` by the pom's hash); ``tests/neo4j/Launcher.java`` runs
as a single-file Java program on a free port with a fresh home directory and prints a ready
line. SIGTERM stops it cleanly.

Run it by hand for development: ``python -m tests.neo4j_server`` (prints the NEO4J_URI).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent / "neo4j"
POM = HERE / "pom.xml"
LAUNCHER = HERE / "Launcher.java"
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
JVM_FLAGS = (
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "-Dio.netty.tryReflectionSetAccessible=true",
)
READY = "NEO4J READY "
START_TIMEOUT = 240.0


class Neo4jUnavailable(RuntimeError):
    """Java or Maven is missing, or the server did not start; the message says which."""


def missing_tools() -> list[str]:
    """The tools the test server needs that this machine lacks."""
    return [tool for tool in ("java", "mvn") if shutil.which(tool) is None]


def classpath() -> str:
    """The test server's classpath, resolved by Maven on first use and then cached.

    Raises:
        Neo4jUnavailable: Maven failed (its output is in the message).
    """
    digest = hashlib.sha256(POM.read_bytes() + DEPENDENCY_PLUGIN.encode()).hexdigest()[:16]
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "trustgraph"
    target = cache / f"neo4j-classpath-{digest}.txt"
    if target.is_file() and all(Path(p).exists() for p in target.read_text().split(os.pathsep)):
        return target.read_text().strip()
    cache.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".partial")
    command = [
        "mvn",
        "-q",
        "-B",
        "-f",
        str(POM),
        f"{DEPENDENCY_PLUGIN}:build-classpath",
        f"-Dmdep.outputFile={partial}",
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0 or not partial.is_file():
        raise Neo4jUnavailable(
            f"`{' '.join(command)}` failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    partial.replace(target)
    return target.read_text().strip()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RunningNeo4j:
    """A running test server; :meth:`stop` ends it and removes its home."""

    uri: str
    process: subprocess.Popen[str]
    home: Path
    output: list[str] = field(default_factory=list)

    heap: str = "1g"
    page_cache_mb: int = 128

    def stop(self) -> None:
        self.halt()
        shutil.rmtree(self.home, ignore_errors=True)

    def halt(self) -> None:
        """Stop the server and keep its home (to import into it, then :meth:`resume`)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def resume(self, timeout: float = START_TIMEOUT) -> None:
        """Start the halted server again, on the same home and port.

        Raises:
            Neo4jUnavailable: no ready line within ``timeout``.
        """
        port = int(self.uri.rsplit(":", 1)[1])
        self.process = _launch(port, self.home, self.heap, self.page_cache_mb)
        self.output.clear()
        _wait_ready(self, timeout)


def admin_command() -> list[str]:
    """How to run the test server's ``neo4j-admin`` (the AdminTool of the same classpath)."""
    return ["java", *JVM_FLAGS, "-cp", classpath(), "org.neo4j.cli.AdminTool"]


def start(
    timeout: float = START_TIMEOUT, heap: str = "1g", page_cache_mb: int = 128
) -> RunningNeo4j:
    """Start a fresh server and wait for its ready line (benchmarks give it more memory).

    Raises:
        Neo4jUnavailable: tools missing, Maven failed, or no ready line within ``timeout``.
    """
    missing = missing_tools()
    if missing:
        raise Neo4jUnavailable(f"the test Neo4j needs {' and '.join(missing)} on PATH")
    port = free_port()
    home = Path(tempfile.mkdtemp(prefix="trustgraph-neo4j-"))
    process = _launch(port, home, heap, page_cache_mb)
    server = RunningNeo4j(f"bolt://127.0.0.1:{port}", process, home, [], heap, page_cache_mb)
    _wait_ready(server, timeout)
    return server


def _launch(port: int, home: Path, heap: str, page_cache_mb: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            "java",
            f"-Xmx{heap}",
            *JVM_FLAGS,
            "-cp",
            classpath(),
            str(LAUNCHER),
            str(port),
            str(home),
            str(page_cache_mb),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_ready(server: RunningNeo4j, timeout: float) -> None:
    """Wait for the ready line; stop the server if it does not come.

    Raises:
        Neo4jUnavailable: the server exited, or no ready line within ``timeout``.
    """
    ready = threading.Event()
    threading.Thread(target=_follow, args=(server, ready), daemon=True).start()
    deadline = time.monotonic() + timeout
    while not ready.wait(0.2):
        if server.process.poll() is not None or time.monotonic() > deadline:
            server.stop()
            tail = "".join(server.output[-40:])
            raise Neo4jUnavailable(f"the test Neo4j did not start within {timeout:.0f} s:\n{tail}")


def _follow(server: RunningNeo4j, ready: threading.Event) -> None:
    """Read the server's output (so that its pipe never fills) and spot the ready line."""
    assert server.process.stdout is not None
    for line in server.process.stdout:
        server.output.append(line)
        if line.startswith(READY):
            ready.set()


if __name__ == "__main__":
    running = start()
    print(f"NEO4J_URI={running.uri}  (Ctrl-C stops it)", file=sys.stderr)
    try:
        running.process.wait()
    except KeyboardInterrupt:
        running.stop()
