"""`make screens`: screenshots of the main pages per role at phone width, in docs/screens/.

Not a test (pytest collects only test_*.py): the Makefile runs this file on its own. It
seeds the demo (as `make run` does), signs each demo role in with a verified second
factor (as the browser tests do), and photographs the home page, the open menu and the
pages the menu links to, 360 × 740, in Dutch. The PNGs are reduced to a 64-colour
palette to keep the repository small.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.browser.test_crawl import _signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUT = Path(__file__).resolve().parents[2] / "docs" / "screens"
ROLES = {
    "member": "lid@werkstation.demo",
    "board": "bestuur@werkstation.demo",
    "treasurer": "penningmeester@werkstation.demo",
    "client": "klant@werkstation.demo",
    "municipality": "gemeente@werkstation.demo",
    "auditor": "kascommissie@werkstation.demo",
}
PAGES_PER_ROLE = 8
SKIP = ("/admin", "/account/", "/profile/")


def _save(png: bytes, path: Path) -> None:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB").quantize(colors=64)
    image.save(path, optimize=True)


def _name(url: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", url.lower()).strip("-")
    return re.sub(r"\d+", "n", slug) or "home"


def test_screens(request, live_server):
    call_command("seed_demo", verbosity=0)
    browser = request.getfixturevalue("browser")
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.glob("*.png"):
        old.unlink()
    for role, email in ROLES.items():
        context = browser.new_context(
            viewport={"width": 360, "height": 740}, locale="nl-NL", device_scale_factor=1
        )
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": _signed_in(email).cookies["sessionid"].value,
                    "url": live_server.url,
                },
                {"name": "django_language", "value": "nl", "url": live_server.url},
            ]
        )
        page = context.new_page()
        page.goto(f"{live_server.url}/")
        _save(page.screenshot(), OUT / f"{role}-01-home.png")
        page.locator("header.top summary").click()
        _save(page.screenshot(), OUT / f"{role}-02-menu.png")
        links = page.locator("header.top nav a").evaluate_all(
            "(links) => links.map((a) => a.getAttribute('href'))"
        )
        links = [u for u in dict.fromkeys(links) if u != "/" and not u.startswith(SKIP)]
        for number, url in enumerate(links[:PAGES_PER_ROLE], start=3):
            page.goto(f"{live_server.url}{url}")
            _save(page.screenshot(), OUT / f"{role}-{number:02d}-{_name(url)}.png")
        context.close()
    print(f"screenshots in {OUT}")
