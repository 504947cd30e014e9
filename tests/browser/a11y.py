"""axe-core in the browser tests: a page's serious and critical accessibility violations.

axe-core comes with the ``axe-playwright-python`` package (a dev dependency); its script
is evaluated in the page through Playwright, which the Content-Security-Policy does not
block (no inline <script> tag is added).
"""

from __future__ import annotations

from functools import cache

import pytest

SERIOUS = ("serious", "critical")


@cache
def _axe():
    try:
        from axe_playwright_python.sync_playwright import Axe
    except ImportError:  # pyproject.toml lists it; the lock must too
        pytest.fail("axe-playwright-python is not installed: run `make lock` and `make install`")
    return Axe()


def serious_violations(page) -> list[str]:
    """One line per serious or critical violation: rule, impact, and the first elements."""
    results = _axe().run(page, options={"resultTypes": ["violations"]}).response
    found = []
    for violation in results["violations"]:
        if violation["impact"] in SERIOUS:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
            found.append(f"{violation['id']} ({violation['impact']}): {targets}")
    return found
