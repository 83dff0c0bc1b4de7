"""The web tests' shared pieces: one server over the analyst's data for the map tests that only read
it, and the shared Chromium (tests/webapp/browser.py), stopped with the session."""

import pytest

from tests.webapp.browser import close_shared_browser


@pytest.fixture(scope="session")
def analyst_base(tmp_path_factory):
    """The base URL of one server over the analyst's map data (tests/webapp/analyst_map.py), shared
    by the test modules that never write to it (charts, details, filters, timeline, a11y)."""
    from tests.webapp.analyst_map import analyst_server
    from tests.webapp.browser import need_browser

    need_browser()
    with analyst_server(tmp_path_factory.mktemp("analyst") / "data") as base:
        yield base


def pytest_sessionfinish(session, exitstatus) -> None:
    close_shared_browser()
