"""Irreversible steps ask first: a summary to confirm, as an htmx dialog or, without
script, as a page; nothing happens until the confirmation is posted."""

from __future__ import annotations

import re

import pytest
from django.test import Client as WebClient

from jobs.models import Job
from members.models import Proposal, Proxy
from members.services.governance import proposal_create, proposal_open
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "confirm-slot"}


def _web(user) -> WebClient:
    client = WebClient()
    client.force_login(user)
    return client


def test_cancelling_a_job_asks_first_and_names_the_job(market):
    client = _web(market.client_user)
    url = f"/work/jobs/{market.job.pk}/"
    dialog = client.post(url, {"action": "cancelled"}, **HTMX)
    text = dialog.content.decode()
    assert text.lstrip().startswith("<dialog")
    assert "Geveltuinen" in text
    assert Job.objects.get(pk=market.job.pk).status == "open"
    page = client.post(url, {"action": "cancelled"})  # without script: a page of its own
    assert 'id="confirm-yes"' in page.content.decode()
    assert "<html" in page.content.decode()
    assert Job.objects.get(pk=market.job.pk).status == "open"
    done = client.post(url, {"action": "cancelled", "confirmed": "1"})
    assert done.status_code == 302
    assert Job.objects.get(pk=market.job.pk).status == "cancelled"


def test_marking_a_job_completed_asks_first(market):
    # Completed is final: the job's shifts leave the feed and it cannot be reopened, so one
    # tap on "Afronden" must not do it.
    client = _web(market.client_user)
    url = f"/work/jobs/{market.job.pk}/"
    detail = client.get(url).content.decode()
    assert 'id="complete-job"' in detail
    assert re.search(
        r'hx-target="#confirm-slot">[^\n]*name="action" value="completed"><button[^>]*id="complete-job"',
        detail,
    )
    dialog = client.post(url, {"action": "completed"}, **HTMX)
    text = dialog.content.decode()
    assert text.lstrip().startswith("<dialog")
    assert "Geveltuinen" in text
    assert Job.objects.get(pk=market.job.pk).status == "open"
    done = client.post(url, {"action": "completed", "confirmed": "1"})
    assert done.status_code == 302
    assert Job.objects.get(pk=market.job.pk).status == "completed"


def test_a_step_without_confirmation_through_htmx_redirects_the_whole_page(market):
    client = _web(market.client_user)
    market.job.status = "draft"
    market.job.save(update_fields=["status"])
    response = client.post(f"/work/jobs/{market.job.pk}/", {"action": "open"}, **HTMX)
    assert response["HX-Redirect"] == f"/work/jobs/{market.job.pk}/"


def _draft(world) -> Proposal:
    return proposal_create(
        actor=world.board_a, cooperative=world.coop_a, kind="motion", title="Buurtfeest"
    )


def test_opening_and_withdrawing_a_proposal_ask_first(world):
    from tests.factories.api import login_verified

    client = WebClient()
    login_verified(client, world.board_a)
    proposal = _draft(world)
    url = f"/proposals/{proposal.pk}/"
    text = client.post(url, {"action": "open"}, **HTMX).content.decode()
    assert "Buurtfeest" in text
    assert 'value="open"' in text
    assert Proposal.objects.get(pk=proposal.pk).status == "draft"
    client.post(url, {"action": "open", "confirmed": "1"})
    assert Proposal.objects.get(pk=proposal.pk).status == "open"
    other = _draft(world)
    url = f"/proposals/{other.pk}/"
    client.post(url, {"action": "withdraw"})
    assert Proposal.objects.get(pk=other.pk).status == "draft"
    client.post(url, {"action": "withdraw", "confirmed": "1"})
    assert Proposal.objects.get(pk=other.pk).status == "withdrawn"


def test_the_proxy_picker_searches_has_no_default_and_names_the_person(world):
    for name in ("Anouk Bakker", "Bram de Vries", "Fatima El Amrani"):
        MembershipFactory(cooperative=world.coop_a, user=UserFactory(full_name=name))
    proposal = proposal_open(actor=world.board_a, proposal=_draft(world))
    client = _web(world.member_a)
    url = f"/proposals/{proposal.pk}/"
    page = client.get(url).content.decode()
    assert 'name="holder"' not in page  # nobody listed, so nobody chosen, before a search
    page = client.get(url, {"proxy_q": "fati"}).content.decode()
    assert "Fatima El Amrani" in page
    assert "Bram de Vries" not in page
    assert 'name="holder"' in page
    assert "checked" not in page.split('id="proxy-results"')[1]
    fatima = UserFactory._meta.model.objects.get(full_name="Fatima El Amrani")
    response = client.post(url, {"action": "proxy"})  # nobody chosen
    assert response.status_code == 302
    assert not Proxy.objects.exists()
    text = client.post(url, {"action": "proxy", "holder": fatima.pk}, **HTMX).content.decode()
    assert "Fatima El Amrani" in text
    assert not Proxy.objects.exists()
    client.post(url, {"action": "proxy", "holder": fatima.pk, "confirmed": "1"})
    assert Proxy.objects.get().holder_id == fatima.pk
    # Someone outside the cooperative cannot be chosen, even by a crafted post.
    client.post(url, {"action": "proxy", "holder": world.member_b.pk, "confirmed": "1"})
    assert Proxy.objects.count() == 1
