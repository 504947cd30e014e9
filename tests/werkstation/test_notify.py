"""Links in e-mails: on the site the request came to, or else on ``SITE_URL``."""

import pytest
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from jobs.services.client_links import client_link_invite
from members.services.invitations import invitation_create
from tests.conftest import api_as
from werkstation.notify import site_link

SITE = "https://werk.example.nl"


def _mail_to(address: str):
    (message,) = [m for m in mail.outbox if address in m.to]
    return message


@override_settings(SITE_URL=SITE)
def test_site_link_takes_the_requests_site_first_then_site_url():
    assert site_link("/invitations/abc/") == f"{SITE}/invitations/abc/"
    assert site_link("/x/", site_url="http://testserver/") == "http://testserver/x/"
    assert site_link("/x/", site_url=None) == f"{SITE}/x/"


@pytest.mark.django_db
@override_settings(SITE_URL=SITE)
def test_an_invitation_sent_without_a_request_links_to_site_url(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(
            kind="board",
            email="nieuw@example.org",
            invited_by=world.staff,
            cooperative=world.coop_a,
        )
    link = SITE + reverse("members:invitation-accept", args=[invitation.token])
    assert link in _mail_to("nieuw@example.org").body
    assert "127.0.0.1" not in _mail_to("nieuw@example.org").body


@pytest.mark.django_db
@override_settings(SITE_URL=SITE)
def test_a_client_link_invitation_without_a_request_links_to_site_url(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = client_link_invite(
            actor=world.board_a, cooperative=world.coop_a, email="inkoop@example.org"
        )
    link = SITE + reverse("jobs:client-link-invitation", args=[request.token])
    assert link in _mail_to("inkoop@example.org").body


@pytest.mark.django_db
@override_settings(SITE_URL=SITE)
def test_a_link_sent_from_a_request_keeps_the_requests_site(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(world.staff).post(
            "/api/v1/cooperatives/",
            {
                "name": "Wijk Noord",
                "legal_name": "Wijk Noord U.A.",
                "kvk_number": "87654321",
                "board_emails": ["voorzitter@example.org"],
            },
        )
    assert response.status_code == 201, response.data
    assert "http://testserver/invitations/" in _mail_to("voorzitter@example.org").body
