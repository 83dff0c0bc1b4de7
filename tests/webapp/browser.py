"""Headless Chromium (Debian's package) driven by Playwright, with no network but loopback."""

from __future__ import annotations

import contextlib
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def need_browser() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (./dev.sh test installs it)")
    pytest.importorskip("playwright.sync_api")


@contextlib.contextmanager
def browser_page(base_url: str):
    """A page that records console errors and every request that leaves 127.0.0.1."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.console_errors = []
        page.outside_requests = []
        page.dialogs = []
        page.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: page.console_errors.append(str(e)))
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))

        def route(r):
            if r.request.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:", "file://")):
                return r.continue_()
            page.outside_requests.append(r.request.url)
            return r.abort()

        page.route("**/*", route)
        # the pages' Content-Security-Policy refuses eval, which Playwright uses for a predicate given as
        # an expression; as a function it runs through the debugger protocol, outside the policy
        wait_for_function = page.wait_for_function

        def wait_for_function_under_csp(expression, *args, **kwargs):
            if not expression.lstrip().startswith(("(", "function", "async")):
                expression = f"() => ({expression})"
            return wait_for_function(expression, *args, **kwargs)

        page.wait_for_function = wait_for_function_under_csp
        try:
            yield page
        finally:
            browser.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
