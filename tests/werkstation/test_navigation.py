"""The menu's data comes from the apps through the kernel's registry
(``werkstation/navigation.py``); the kernel imports no app for it."""

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

import werkstation.navigation
from werkstation.navigation import navigation, navigation_sources

APPS = ("members", "jobs", "payouts")


def _context(user) -> dict:
    request = RequestFactory().get("/")
    request.user = user
    return navigation(request)


def test_members_and_jobs_register_their_readers():
    assert [source.name for source in navigation_sources()] == ["members", "jobs"]


def test_the_kernel_module_imports_no_app():
    tree = ast.parse(Path(werkstation.navigation.__file__).read_text())
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    ]
    assert not [name for name in imported if name and name.split(".")[0] in APPS]


def test_someone_signed_out_gets_the_empty_menu_without_a_query():
    """No database here: a query would fail the test."""
    context = _context(AnonymousUser())
    assert context == {"nav_memberships": (), "nav_is_board": False, "nav_wtta_warnings": ()}


@pytest.mark.django_db
def test_no_two_readers_answer_the_same_key(world):
    keys: dict[str, str] = {}
    for source in navigation_sources():
        for key in source.read(world.client_user):
            assert key not in keys, f"{key} from {source.name} and {keys[key]}"
            keys[key] = source.name
    assert set(keys) == {
        "nav_wtta_warnings",
        "nav_memberships",
        "nav_is_member",
        "nav_is_board",
        "nav_is_treasurer",
        "nav_clients",
        "nav_hours_waiting",
    }


@pytest.mark.django_db
def test_each_role_gets_its_menu_data(world):
    board = _context(world.board_a)
    assert board["nav_is_board"]
    assert board["nav_is_member"]
    assert not board["nav_is_treasurer"]
    assert [m.cooperative for m in board["nav_memberships"]] == [world.coop_a]
    assert board["nav_clients"] == []
    assert board["nav_hours_waiting"] == 0

    treasurer = _context(world.treasurer_a)
    assert treasurer["nav_is_treasurer"]
    assert not treasurer["nav_is_board"]

    applicant = _context(world.applicant_a)
    assert not applicant["nav_is_member"]
    assert [m.status for m in applicant["nav_memberships"]] == ["applied"]

    client = _context(world.client_user)
    assert client["nav_clients"] == [world.client_a]
    assert client["nav_memberships"] == []
    assert not client["nav_is_member"]
