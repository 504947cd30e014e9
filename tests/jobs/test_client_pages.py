"""What a client (a bakery, a shop) sees: the address, not coordinates; the price, not
the member pay; its invoices and the hours waiting for it in the navigation."""

from __future__ import annotations

import pytest
from django.test import Client as WebClient

from jobs.models import Job
from members.models import Profile

pytestmark = pytest.mark.django_db


def _web(user) -> WebClient:
    client = WebClient()
    client.force_login(user)
    client.cookies["django_language"] = "nl"
    return client


def test_a_client_posts_a_job_by_address_and_pays_the_cooperatives_price(market):
    client = _web(market.client_user)
    page = client.get("/work/jobs/new/").content.decode()
    for hidden in ('name="latitude"', 'name="longitude"', 'name="member_pay"', "client_tariff"):
        assert hidden not in page
    assert "€ 32,00" in page  # the price per hour of the rate card
    response = client.post(
        "/work/jobs/new/",
        {
            "client": market.client_a.pk,
            "cooperative": market.coop_a.slug,
            "title": "Etalage schilderen",
            "category": "greening",
            "street": "Marshalllaan 12",
            "postcode": "3526gа".replace("а", "a"),
            "city": "Utrecht",
            # Fields the form does not ask are ignored, even when posted.
            "client_tariff": "1",
        },
    )
    assert response.status_code == 302
    job = Job.objects.get(title="Etalage schilderen")
    assert job.latitude
    assert job.longitude
    assert job.client_tariff.amount == 32
    assert not hasattr(job, "member_pay")


def test_an_address_that_cannot_be_found_is_named_on_the_postcode(market):
    page = _web(market.client_user).post(
        "/work/jobs/new/",
        {
            "client": market.client_a.pk,
            "cooperative": market.coop_a.slug,
            "title": "Ergens",
            "category": "greening",
            "street": "Nergensweg 1",
            "postcode": "9999 ZZ",
            "city": "Utrecht",
        },
    )
    assert page.status_code == 200
    assert not Job.objects.filter(title="Ergens").exists()
    assert 'id="id_postcode_error"' in page.content.decode()


def test_the_profile_asks_a_postcode_and_finds_the_place(world):
    client = _web(world.member_a)
    page = client.get("/profile/").content.decode()
    assert 'name="latitude"' not in page
    assert 'name="postcode"' in page
    client.post(
        "/profile/",
        {
            "street": "Marshalllaan 40",
            "postcode": "3526 GA",
            "city": "Utrecht",
            "travel_radius_km": "5",
            "target_hours_per_week": "12",
        },
    )
    profile = Profile.objects.get(user=world.member_a)
    assert profile.postcode == "3526 GA"
    assert profile.latitude
    assert profile.longitude
    page = client.post(
        "/profile/",
        {"postcode": "9999 ZZ", "travel_radius_km": "5", "target_hours_per_week": "12"},
    ).content.decode()
    assert 'id="id_postcode_error"' in page
    assert Profile.objects.get(user=world.member_a).postcode == "3526 GA"


def test_the_client_navigation_shows_invoices_and_hours_waiting(market):
    from jobs.models import Timesheet
    from tests.factories.money import approved_timesheet

    sheet = approved_timesheet(market, minutes=150)
    Timesheet.objects.filter(pk=sheet.pk).update(status="submitted")
    client = _web(market.client_user)
    page = client.get("/").content.decode()
    assert 'id="nav-invoices"' in page
    assert 'id="nav-hours"' in page
    hours = page.split('id="nav-hours"')[1].split("</a>")[0]
    assert '<span class="badge">1</span>' in hours
    listing = client.get("/work/timesheets/").content.decode()
    assert "2 u 30 min" in listing
    assert "Resolve" not in listing
    assert "Oplossen" not in listing
