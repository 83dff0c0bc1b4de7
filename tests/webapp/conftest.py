"""The web tests' session hooks: the shared Chromium (tests/webapp/browser.py) stops with the session."""

from tests.webapp.browser import close_shared_browser


def pytest_sessionfinish(session, exitstatus) -> None:
    close_shared_browser()
