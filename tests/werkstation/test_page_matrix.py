"""Every HTML page × every role, in a world of two cooperatives and a shared client.

The list of pages comes from the URL resolver, so a page added later without an entry
here fails ``test_every_page_has_a_matrix_entry`` (the API has its own matrix in
``test_authorization_matrix.py``).

Each entry names the roles a page serves and the roles that get 403 (members of
cooperative A without the role the page needs). Everybody else gets 404 (or, signed out,
the login page): another cooperative's objects are never "forbidden", only "not found",
so their ids cannot be enumerated. And a page never links its viewer to a page that
answers them 403 or 404.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404

from tests.factories.api import login_verified

ROLES = [
    "anonymous",
    "member_a",
    "board_a",
    "treasurer_a",
    "auditor_a",
    "applicant_a",
    "member_b",
    "board_b",
    "client_a",
    "client_b",
    "shared",
    "municipality",
    "staff",
]
USERS = {
    "client_a": "client_a_user",
    "client_b": "client_b_user",
    "shared": "shared_user",
    "municipality": "muni_user",
}
ALL = frozenset(ROLES)
SIGNED_IN = ALL - {"anonymous"}
A_MEMBERS = frozenset({"member_a", "board_a", "treasurer_a", "auditor_a"})
A_BOOKS = frozenset({"board_a", "treasurer_a", "auditor_a"})
ANY = "any"  # a machine endpoint: whatever it answers, it is the same for everyone


def _s(*names: str) -> frozenset:
    return frozenset(names)


def _not(roles: frozenset, *without: str) -> frozenset:
    return roles - set(without)


# (url name, method) -> (kwargs from the world, roles served, roles answered 403)
def _pages(t) -> dict:
    a = {"slug": "alpha"}
    membership = t.applicant_a.memberships.get(cooperative=t.coop_a)
    return {
        ("members:home", "get"): ({}, ALL, set()),
        ("members:register", "get"): ({}, ALL, set()),
        ("members:privacy-statement", "get"): ({}, ALL, set()),
        ("login", "get"): ({}, ALL, set()),
        ("logout", "post"): ({}, ALL, set()),
        ("password_change", "get"): ({}, SIGNED_IN, set()),
        ("password_change_done", "get"): ({}, SIGNED_IN, set()),
        ("password_reset", "get"): ({}, ALL, set()),
        ("password_reset_done", "get"): ({}, ALL, set()),
        ("password_reset_confirm", "get"): ({"uidb64": "MQ", "token": "x-y"}, ALL, set()),
        ("password_reset_complete", "get"): ({}, ALL, set()),
        ("set_language", "post"): ({}, ALL, set()),
        ("healthz", "get"): ({}, ANY, set()),
        ("web-manifest", "get"): ({}, ANY, set()),
        ("challenges:rtc-register", "get"): ({}, ALL, set()),
        ("challenges:rtc-tender-new", "get"): ({}, _s("municipality"), set()),
        ("challenges:rtc-tender", "get"): ({"tender_id": t.tender_awarded.pk}, ALL, set()),
        ("challenges:rtc-bid-new", "get"): (
            {"tender_id": t.tender_open.pk},
            _s("board_a", "board_b"),
            set(),
        ),
        ("challenges:rtc-bid", "get"): (
            {"bid_id": t.bid_a.pk},
            _s("board_a", "treasurer_a"),
            set(),
        ),
        ("challenges:rtc-challenge-new", "get"): ({}, _s("board_a", "board_b"), set()),
        ("challenges:rtc-challenge", "get"): ({"challenge_id": t.challenge_a.pk}, ALL, set()),
        ("challenges:rtc-contract", "get"): (
            {"contract_id": t.contract_a.pk},
            _s("board_a", "treasurer_a", "municipality"),
            set(),
        ),
        ("challenges:rtc-contract-report", "get"): (
            {"contract_id": t.contract_a.pk},
            _s("board_a", "treasurer_a", "municipality"),
            set(),
        ),
        ("challenges:rtc-target-groups", "get"): (a, _s("board_a"), _not(A_MEMBERS, "board_a")),
        ("jobs:client-new", "get"): ({}, SIGNED_IN, set()),
        # A linked client's details: its users, and the board and treasurer of each side.
        ("jobs:client", "get"): (
            {"client_id": t.shared.pk},
            _s("shared", "board_a", "treasurer_a", "board_b"),
            set(),
        ),
        ("jobs:client-cooperatives", "get"): ({"client_id": t.shared.pk}, _s("shared"), set()),
        ("jobs:client-link-invitation", "get"): ({"token": t.link_invitation.token}, ALL, set()),
        ("jobs:board-clients", "get"): (a, _s("board_a"), _not(A_MEMBERS, "board_a")),
        ("jobs:feed", "get"): ({}, SIGNED_IN, set()),
        ("jobs:my-week", "get"): ({}, SIGNED_IN, set()),
        ("jobs:plan-week", "get"): ({}, SIGNED_IN, set()),
        ("jobs:shift-detail", "get"): ({"shift_id": t.shift_a.pk}, A_MEMBERS | {"shared"}, set()),
        ("jobs:shift-claim", "post"): ({"shift_id": t.shift_a.pk}, A_MEMBERS, set()),
        ("jobs:claim-action", "post"): (
            {"claim_id": t.claim_a.pk, "action": "confirm"},
            _s("member_a", "board_a", "shared"),
            set(),
        ),
        ("jobs:timesheet-submit", "post"): (
            {"claim_id": t.timesheet_a.claim_id},
            _s("member_a"),
            set(),
        ),
        ("jobs:calendar-action", "post"): ({"action": "rotate"}, SIGNED_IN, set()),
        ("jobs:job-list", "get"): ({}, SIGNED_IN, set()),
        ("jobs:job-new", "get"): ({}, SIGNED_IN, set()),
        ("jobs:job-detail", "get"): ({"job_id": t.job_a.pk}, _s("board_a", "shared"), set()),
        ("jobs:timesheet-list", "get"): ({}, SIGNED_IN, set()),
        ("jobs:timesheet-action", "post"): (
            {"timesheet_id": t.timesheet_a.pk, "action": "approve"},
            _s("board_a", "shared"),
            set(),
        ),
        ("jobs:board-jobs", "get"): (a, _s("board_a"), _not(A_MEMBERS, "board_a")),
        ("jobs:board-dispatch", "get"): (a, _s("board_a"), _not(A_MEMBERS, "board_a")),
        ("jobs:board-dispatch-run", "get"): (
            {**a, "run_id": t.offer_a.run_id},
            _s("board_a"),
            _not(A_MEMBERS, "board_a"),
        ),
        ("jobs:offer-action", "post"): (
            {"offer_id": t.offer_a.pk, "action": "decline"},
            _s("member_a"),
            set(),
        ),
        ("jobs:calendar-feed", "get"): ({"token": t.calendar_a.token}, ALL, set()),
        ("payouts:earnings", "get"): ({}, SIGNED_IN, set()),
        ("payouts:earning-detail", "get"): ({"split_id": t.split_a.pk}, _s("member_a"), set()),
        ("payouts:income-statement", "get"): ({}, SIGNED_IN, set()),
        ("payouts:treasury", "get"): (a, A_BOOKS, _s("member_a")),
        ("payouts:dashboard", "get"): (a, A_BOOKS, _s("member_a")),
        ("payouts:dashboard-csv", "get"): ({**a, "figure": "fund"}, A_BOOKS, _s("member_a")),
        ("payouts:my-self-billing-invoice", "get"): (
            {"invoice_id": t.self_billing_a.pk},
            _s("member_a"),
            set(),
        ),
        ("payouts:self-billing", "get"): (
            a,
            _s("treasurer_a", "auditor_a"),
            _s("member_a", "board_a"),
        ),
        ("payouts:self-billing-invoice", "get"): (
            {**a, "invoice_id": t.self_billing_a.pk},
            _s("treasurer_a", "auditor_a"),
            _s("member_a", "board_a"),
        ),
        ("payouts:rules", "get"): (a, A_MEMBERS, set()),
        ("payouts:rules-new", "get"): (a, _s("board_a"), _not(A_MEMBERS, "board_a")),
        ("payouts:rules-preview", "post"): (a, _s("board_a"), _not(A_MEMBERS, "board_a")),
        ("payouts:rules-export", "get"): ({**a, "rule_set_id": t.rule_set_a.pk}, A_MEMBERS, set()),
        ("payouts:earnings-caps", "get"): (
            a,
            _s("board_a", "treasurer_a"),
            _s("member_a", "auditor_a"),
        ),
        ("payouts:money-settings", "get"): (a, _s("board_a"), _not(A_MEMBERS, "board_a")),
        ("payouts:reverse-charge", "get"): (a, _s("board_a"), _not(A_MEMBERS, "board_a")),
        ("payouts:g-account", "get"): (a, _s("board_a"), _not(A_MEMBERS, "board_a")),
        ("payouts:batch-action", "post"): (
            {**a, "batch_id": t.batch_a.pk, "action": "approve"},
            A_BOOKS,
            _s("member_a"),
        ),
        ("payouts:invoice", "get"): ({**a, "invoice_id": t.invoice_a.pk}, A_BOOKS, _s("member_a")),
        ("payouts:stripe-settings", "get"): (a, A_BOOKS, _s("member_a")),
        ("payouts:stripe-connect", "get"): (a, A_MEMBERS, set()),
        ("payouts:client-invoices", "get"): ({}, SIGNED_IN, set()),
        ("payouts:client-invoice", "get"): (
            {"invoice_id": t.invoice_a.pk},
            _s("shared", "board_a", "treasurer_a"),
            set(),
        ),
        # Stripe's endpoints: unsigned, refused alike for everyone (400; 404 when ambiguous).
        ("payouts:stripe-webhook-single", "post"): ({}, ANY, set()),
        ("payouts:stripe-webhook", "post"): (a, ANY, set()),
        ("payouts:credit-note", "get"): (
            {**a, "note_id": t.credit_note_a.pk},
            A_BOOKS,
            _s("member_a"),
        ),
        ("payouts:payout-item-returned", "post"): (
            {**a, "item_id": t.paid_item_a.pk},
            A_BOOKS,
            _s("member_a"),
        ),
        ("members:cooperative", "get"): (a, ALL, set()),
        ("members:cooperative-apply", "get"): (a, SIGNED_IN, set()),
        ("members:cooperative-settings", "get"): (a, _s("board_a"), _not(A_MEMBERS, "board_a")),
        ("members:board-applications", "get"): (a, _s("board_a"), _not(A_MEMBERS, "board_a")),
        ("members:board-membership-action", "post"): (
            {**a, "membership_id": membership.pk, "action": "admit"},
            _s("board_a"),
            _not(A_MEMBERS, "board_a"),
        ),
        ("members:proposals", "get"): (a, A_MEMBERS, set()),
        ("members:proposal", "get"): ({"proposal_id": t.proposal_a.pk}, A_MEMBERS, set()),
        ("members:profile", "get"): ({}, SIGNED_IN, set()),
        ("members:profile-skill-add", "post"): ({}, SIGNED_IN, set()),
        ("members:profile-skill-remove", "post"): (
            {"member_skill_id": t.member_skill_a.pk},
            _s("member_a"),
            set(),
        ),
        ("members:profile-slot-add", "post"): ({}, SIGNED_IN, set()),
        ("members:profile-slot-remove", "post"): ({"index": 0}, SIGNED_IN, set()),
        ("members:profile-exception-add", "post"): ({}, SIGNED_IN, set()),
        ("members:profile-exception-remove", "post"): (
            {"exception_id": t.exception_a.pk},
            _s("member_a"),
            set(),
        ),
        ("members:profile-benefit-save", "post"): ({}, SIGNED_IN, set()),
        ("members:profile-benefit-remove", "post"): ({}, SIGNED_IN, set()),
        ("members:notifications", "get"): ({}, SIGNED_IN, set()),
        ("members:privacy", "get"): ({}, SIGNED_IN, set()),
        ("members:privacy-export", "get"): ({}, SIGNED_IN, set()),
        ("members:invitation-accept", "get"): ({"token": t.board_invitation.token}, ALL, set()),
        ("members:two-factor-verify", "get"): ({}, SIGNED_IN, set()),
        ("members:two-factor-link", "post"): ({}, SIGNED_IN, set()),
        ("members:two-factor-enrol", "get"): ({"token": t.enrolment_token}, _s("member_a"), set()),
        ("members:two-factor-add-device", "get"): ({}, SIGNED_IN, set()),
        ("members:two-factor-recovery-codes", "get"): ({}, SIGNED_IN, set()),
        ("members:account-security", "get"): ({}, SIGNED_IN, set()),
        ("members:account-security-action", "post"): (
            {"action": "recovery-codes"},
            SIGNED_IN,
            set(),
        ),
        ("members:board-approvals", "get"): (
            a,
            _s("board_a", "treasurer_a"),
            _s("member_a", "auditor_a"),
        ),
        # The request was made by board A, who may withdraw it; the treasurer is told why
        # they may not decide it (a message, not a refusal of the page).
        ("members:board-approval-decide", "post"): (
            {**a, "approval_id": t.approval_a.pk, "decision": "reject"},
            _s("board_a", "treasurer_a"),
            _s("member_a", "auditor_a"),
        ),
    }


def _named_pages() -> set[tuple[str, str]]:
    """Every named URL outside the API and Django's admin, with the methods its view takes."""
    found: set[tuple[str, str]] = set()

    def walk(patterns, prefix="", namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(
                    pattern.url_patterns,
                    prefix + str(pattern.pattern),
                    pattern.namespace or namespace,
                )
            elif isinstance(pattern, URLPattern) and pattern.name and namespace != "admin":
                if (prefix + str(pattern.pattern)).startswith("api/"):
                    continue
                found.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns)
    return found


def test_every_page_has_a_matrix_entry():
    covered = {name for name, _method in _page_ids()}
    missing = _named_pages() - covered
    assert not missing, f"pages without a page matrix entry: {sorted(missing)}"
    stale = covered - _named_pages()
    assert not stale, f"matrix entries for pages that no longer exist: {sorted(stale)}"


@pytest.fixture(scope="module")
def tenancy_world(django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction rolled back at the end; each case runs
    in its own savepoint (pytest-django's ``db``), so what one request writes is gone."""
    from django.db import transaction

    from tests.factories.tenancy import build_tenancy
    from werkstation.locks import lock_order_unchecked

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            # One transaction that calls many services one after the other (as seeding
            # the demo does): it cannot deadlock with itself, so the order is not checked.
            with lock_order_unchecked():
                world = build_tenancy()
            yield world
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _client(world, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        login_verified(client, getattr(world, USERS.get(role, role)))
    return client


def _request(client: Client, method: str, url: str):
    return client.post(url, {}) if method == "post" else client.get(url)


def _is_login(response) -> bool:
    return response.status_code == 302 and urlsplit(response["Location"]).path == reverse("login")


_LINKS_CHECKED: dict[tuple[str, str], int] = {}
HREF = re.compile(r'<a\s[^>]*href="(/[^"#?]*)')


def _internal_pages(html: str) -> set[str]:
    """Links to our own pages (not the API, static files, the admin or another host)."""
    found = set()
    for path in HREF.findall(html):
        if path.startswith(("/static/", "/api/", "/admin/", "//")):
            continue
        try:
            resolve(path)
        except Resolver404:
            continue
        found.add(path)
    return found


class _Anything:
    """Stands in for the world when only the matrix's keys are needed (at collection)."""

    pk = claim_id = 1
    token = "t"

    def __getattr__(self, name):
        return _Anything()

    def get(self, **kwargs):
        return _Anything()


def _page_ids() -> list[tuple[str, str]]:
    return sorted(_pages(_Anything()))


@pytest.mark.postgres
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", _page_ids(), ids=lambda p: f"{p[1].upper()} {p[0]}")
def test_page(db, tenancy_world, page, role):
    name, method = page
    kwargs, served, forbidden = _pages(tenancy_world)[page]
    url = reverse(name, kwargs=kwargs)
    client = _client(tenancy_world, role)
    response = _request(client, method, url)
    status = response.status_code
    where = (role, method.upper(), url, status)
    if served == ANY:
        assert status not in (401, 403), where
        return
    if role in served:
        assert status < 400, where
        assert not _is_login(response), where
        if method == "get" and "text/html" in response.get("Content-Type", ""):
            _check_links(client, role, response.content.decode())
    elif role in forbidden:
        assert role in A_MEMBERS, "403 is only for members of the cooperative"
        assert status == 403, where
    elif role == "anonymous":
        assert _is_login(response) or status == 404, where
    else:
        assert status == 404, where


def _check_links(client: Client, role: str, html: str) -> None:
    """Every link on a page its viewer may see opens for that viewer (same session)."""
    for path in sorted(_internal_pages(html)):
        key = (role, path)
        if key not in _LINKS_CHECKED:
            _LINKS_CHECKED[key] = client.get(path).status_code
        status = _LINKS_CHECKED[key]
        assert status not in (403, 404), f"{role} is shown a link to {path} that answers {status}"
