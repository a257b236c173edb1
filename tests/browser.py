"""Maps in a real browser: Debian's chromium, headless, with every network request
refused (see the ``browser`` fixture in ``tests/conftest.py``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import PROJECT

ARTIFACTS = PROJECT / "test-artifacts"
"""Screenshots the tests take, to be looked at."""


class Opened:
    """A map open in a page, with every request it made and every error it raised."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.page = browser.new_page(viewport={"width": 1400, "height": 900})
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("dialog", self._dismiss)
        self.page.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith("file:") else route.abort()
            ),
        )
        self.page.goto(path.resolve().as_uri())
        try:
            self.page.wait_for_selector("body[data-ready=yes]", state="attached", timeout=60_000)
        except Exception as exc:
            raise AssertionError(f"the map did not open: {self.errors}") from exc

    def _dismiss(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def js(self, expression: str) -> Any:
        return self.page.evaluate(expression)

    def settle(self) -> None:
        """Wait until the camera has stopped moving and the frame after it has been drawn."""
        self.page.evaluate(
            """new Promise(done => {
                const camera = window.trustgraphMap.renderer.getCamera();
                const after = () => requestAnimationFrame(() => requestAnimationFrame(done));
                const tick = () => (camera.isAnimated() ? requestAnimationFrame(tick) : after());
                tick();
            })"""
        )

    def point(self, key: str) -> tuple[float, float]:
        box = self.page.locator("#network").bounding_box()
        point = self.js(f"window.trustgraphMap.screenPoint('{key}')")
        return box["x"] + point["x"], box["y"] + point["y"]

    def set_day(self, day: str) -> None:
        self.page.fill("#day", day)
        self.page.locator("#day").dispatch_event("change")

    def shot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        target = ARTIFACTS / name
        self.page.screenshot(path=str(target))
        return target
