"""The browser tests share one Chromium (tests/webapp/browser.py), but no test sees another's
cookies, storage or page: each gets a fresh browser context."""

import pytest

from tests.webapp import browser

pytestmark = pytest.mark.slow


def test_each_test_page_starts_clean_in_the_one_shared_browser(analyst_base):
    with browser.browser_page(analyst_base) as first:
        first.goto(f"{analyst_base}/conformance?f=html")
        first.evaluate("() => { localStorage.setItem('left', 'behind'); document.cookie = 'left=behind; path=/'; }")
        assert first.evaluate("() => document.cookie") == "left=behind"
        shared = browser.shared_browser()
    with browser.browser_page(analyst_base) as second:
        second.goto(f"{analyst_base}/conformance?f=html")
        assert second.evaluate("() => [localStorage.getItem('left'), document.cookie]") == [None, ""]
        assert browser.shared_browser() is shared and len(shared.contexts) == 1  # the first one's is closed
