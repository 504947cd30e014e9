"""Every page for every role, in Dutch and English: readable, and fitting a phone.

The crawler signs in as each demo role, follows every link it can reach (one page per
kind of URL: ids count as one), and checks each page's visible text in both languages
(``tests/readability.py``): no English on a Dutch page, no slugs or audit actions, no
raw cents, no ISO dates in prose. Then Chromium opens each of those pages at 360 px and
fails on any horizontal overflow, and on any serious or critical accessibility violation
that axe-core finds (on every page, and on each role's home page with the menu open).
"""

from __future__ import annotations

import html as htmlmod
import re
from collections import defaultdict, deque
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client as WebClient

from tests.browser.a11y import serious_violations
from tests.factories.api import login_verified
from tests.readability import problems

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROLES = {
    "anonymous": None,
    "board": "bestuur@werkstation.demo",
    "treasurer": "penningmeester@werkstation.demo",
    "auditor": "kascommissie@werkstation.demo",
    "member": "lid@werkstation.demo",
    "client": "klant@werkstation.demo",
    "municipality": "gemeente@werkstation.demo",
    "staff": "staff@werkstation.demo",
    "applicant": "aanvrager@werkstation.demo",
}
SKIP = (
    "/accounts/logout",
    "/admin",
    "/api/",
    "/static/",
    "/i18n/",
    "/healthz",
    "/account/2fa/",
    "/calendar/",
)
SKIP_QUERY = ("format=", "output=", "download")
PAGES_PER_ROLE = 80
# Buttons, fields and menu links a thumb must hit: at least 44 px tall (links in running
# text are exempt, as WCAG's target-size criterion allows).
SMALL_TAP_TARGETS = """() => [...document.querySelectorAll(
    "button, input:not([type=hidden]), select, textarea, summary, .button, header a, nav a"
  )].filter((e) => e.offsetParent !== null && !e.closest("details:not([open]) > :not(summary)"))
   .filter((e) => !["checkbox", "radio"].includes(e.type))
   .map((e) => [e, e.getBoundingClientRect().height])
   .filter(([e, h]) => h > 0 && h < 44)
   .map(([e, h]) => `${e.tagName.toLowerCase()} "${(e.textContent || e.name || "").trim().slice(0, 30)}" ${Math.round(h)}px`)"""


def _signed_in(email: str | None) -> WebClient:
    from members.models import User

    client = WebClient()
    if email is not None:
        login_verified(client, User.objects.get(email=email))
    return client


def _kind(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted(p.split("=")[0] for p in parts.query.split("&") if p)
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(keys) if keys else "")


def crawl(client: WebClient, *, limit: int = PAGES_PER_ROLE) -> dict[str, str]:
    """Dutch pages by URL, one per kind, reached by following links from home."""
    client.cookies["django_language"] = "nl"
    queue, kinds, pages = deque(["/", "/right-to-challenge/"]), set(), {}
    while queue and len(pages) < limit:
        url = queue.popleft()
        if _kind(url) in kinds:
            continue
        kinds.add(_kind(url))
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = response.content.decode()
        pages[url] = page
        for href in re.findall(r'href="([^"#]*)', page):
            target = urljoin(url, htmlmod.unescape(href))
            if (
                target.startswith("/")
                and not target.startswith(SKIP)
                and not any(q in target for q in SKIP_QUERY)
            ):
                queue.append(target)
    return pages


def test_every_page_for_every_role_is_readable_and_fits_a_phone(request, live_server):
    from werkstation.models import AuditEntry

    call_command("seed_demo", verbosity=0)
    actions = sorted(set(AuditEntry.objects.values_list("action", flat=True)))
    found: dict[str, set[str]] = defaultdict(set)
    visited: dict[str, list[str]] = {}
    for role, email in ROLES.items():
        client = _signed_in(email)
        pages = crawl(client)
        visited[role] = list(pages)
        for url, page in pages.items():
            for problem in problems(page, language="nl", audit_actions=actions):
                found[problem].add(f"{role} nl {url}")
        client.cookies["django_language"] = "en"
        for url in pages:
            page = client.get(url).content.decode()
            for problem in problems(page, language="en", audit_actions=actions):
                found[problem].add(f"{role} en {url}")
    assert sum(len(v) for v in visited.values()) > 60, visited
    print({role: len(urls) for role, urls in visited.items()})
    report = [f"{p}: {sorted(where)[:3]}" for p, where in sorted(found.items())]
    assert not report, f"{len(report)} problems:\n" + "\n".join(report)

    browser = request.getfixturevalue("browser")
    too_wide, inaccessible, small = [], [], []
    for role, email in ROLES.items():
        context = browser.new_context(viewport={"width": 360, "height": 740}, locale="nl-NL")
        client = _signed_in(email)
        if email is not None:
            context.add_cookies(
                [
                    {
                        "name": "sessionid",
                        "value": client.cookies["sessionid"].value,
                        "url": live_server.url,
                    }
                ]
            )
        page = context.new_page()
        for url in visited[role]:
            page.goto(f"{live_server.url}{url}")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 360:
                too_wide.append(f"{role} {url}: {width}px")
            inaccessible += [f"{role} {url}: {v}" for v in serious_violations(page)]
            small += [f"{role} {url}: {t}" for t in page.evaluate(SMALL_TAP_TARGETS)]
        page.goto(f"{live_server.url}/")
        page.locator("header.top summary").click()
        inaccessible += [f"{role} / menu open: {v}" for v in serious_violations(page)]
        context.close()
    assert not too_wide, "wider than 360 px:\n" + "\n".join(too_wide)
    assert not inaccessible, "serious or critical axe violations:\n" + "\n".join(inaccessible)
    assert not small, "tap targets under 44 px:\n" + "\n".join(small)
