"""Headless Chromium (Debian's package) driven by Playwright, with no network but loopback.

One Chromium serves the whole test session (launching one costs a second or two on a loaded
machine, and the suite opens well over a hundred pages); each test gets its own browser context, so
cookies, storage, cache and permissions never leak from one test to the next.
"""

from __future__ import annotations

import atexit
import contextlib
import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
VIEWPORT = {"width": 1400, "height": 1000}

_shared: dict = {}  # "playwright", "browser": started on first use, stopped when the session ends


def need_browser() -> None:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (./dev.sh test installs it)")
    pytest.importorskip("playwright.sync_api")


def shared_browser():
    """The session's Chromium, launched on first use (and again if it has died)."""
    browser = _shared.get("browser")
    if browser is not None and browser.is_connected():
        return browser
    if "playwright" not in _shared:
        from playwright.sync_api import sync_playwright

        _shared["playwright"] = sync_playwright().start()
        atexit.register(close_shared_browser)
    _shared["browser"] = _shared["playwright"].chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
    _shared["launches"] = _shared.get("launches", 0) + 1
    return _shared["browser"]


def close_shared_browser() -> None:
    """Stop the session's Chromium and Playwright's driver (at the session's end; harmless if unused)."""
    browser, playwright = _shared.pop("browser", None), _shared.pop("playwright", None)
    with contextlib.suppress(Exception):
        if browser is not None:
            browser.close()
    with contextlib.suppress(Exception):
        if playwright is not None:
            playwright.stop()


@contextlib.contextmanager
def browser_page(base_url: str):
    """A page in a fresh context of the shared browser that records console errors and every
    request that leaves 127.0.0.1."""
    context = shared_browser().new_context(viewport=VIEWPORT)
    page = context.new_page()
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

    context.route("**/*", route)  # the context's route also sees popups and workers the page opens
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
        with contextlib.suppress(Exception):  # a crashed browser is relaunched by the next test
            context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
