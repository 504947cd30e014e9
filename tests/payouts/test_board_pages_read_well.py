"""The board's and treasurer's pages as a newcomer reads them on a phone, in Dutch."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.conf import settings

from tests.factories.api import login_verified

pytestmark = pytest.mark.django_db


def test_a_list_of_checkboxes_is_a_fieldset_named_by_its_legend(client, market):
    """Each category on its own line, tappable, under the field's name; never all of them
    inside one label beside the name (the names broke mid-word at 360 px)."""
    login_verified(client, market.board_a)
    page = client.get("/c/alpha/treasury/reverse-charge/").content.decode()
    assert re.search(r'<fieldset class="checks"[^>]*><legend>[^<]+</legend>', page)
    assert '<label class="check"><div' not in page
    assert page.count('<label class="check">') >= 4
    assert page.count('type="checkbox"') >= 4


def test_help_text_is_the_one_the_field_points_to(client, market):
    login_verified(client, market.board_a)
    page = client.get("/c/alpha/settings/").content.decode()
    described = set(re.findall(r'aria-describedby="([^"]+)"', page))
    helps = set(re.findall(r'<small class="help" id="([^"]+)"', page))
    assert helps
    assert helps <= {d for ids in described for d in ids.split()}


def test_every_label_of_the_settings_starts_with_a_capital(client, market):
    login_verified(client, market.board_a)
    page = client.get("/c/alpha/settings/").content.decode()
    labels = re.findall(r"<label for=\"[^\"]+\">([^<]+)<", page)
    assert "Postcodegebied" in labels
    assert all(label[0].isupper() for label in labels), labels


def test_the_dashboard_csv_headers_are_dutch(client, market):
    login_verified(client, market.board_a)
    work = client.get("/c/alpha/dashboard/work.csv").content.decode()
    header = next(csv.reader(io.StringIO(work)))
    assert header == ["Maand", "Gewerkte uren", "Leden die verdienen"]
    money = client.get("/c/alpha/dashboard/money.csv").content.decode()
    assert next(csv.reader(io.StringIO(money)))[1] == "Betaald door opdrachtgevers (EUR)"


def test_g_account_rows_become_cards_and_the_missing_iban_links_the_settings(client, market):
    login_verified(client, market.board_a)
    page = client.get("/c/alpha/treasury/g-account/").content.decode()
    assert '<table class="stack">' in page
    assert '<label class="check"><input type="checkbox" name="agreement"' in page
    assert 'href="/c/alpha/settings/">Instellingen</a>' in page


def test_self_billing_invoices_are_cards_with_amounts_kept_whole(client, market):
    login_verified(client, market.treasurer_a)
    page = client.get("/c/alpha/treasury/self-billing/").content.decode()
    assert '<table class="stack">' in page
    assert 'hx-target="#confirm-slot"' in page


def test_table_cells_break_between_words_and_amounts_stay_whole():
    css = (settings.BASE_DIR / "werkstation/static/css/app.css").read_text()
    assert ".table-wrap th, .table-wrap td { overflow-wrap: normal; }" in css
    # A visually hidden heading inside a scrolling table stays inside it (it widened the page).
    assert ".table-wrap { overflow-x: auto; position: relative; }" in css
    treasury = (settings.BASE_DIR / "payouts/templates/payouts/treasury.html").read_text()
    assert '<td class="num">{{ i.total_cents|money }}</td>' in treasury
    assert '<td class="num">{{ p.amount_cents|money }}</td>' in treasury
    assert "{% if item.hold_reason %}: {{ item.hold_reason }}" in treasury
    # The dashboard's "waiting for a decision" links are full-size tap targets.
    assert ".decisions a { display: inline-block; min-height: 44px; padding: 10px 0; }" in css


def test_the_founding_rule_set_is_named_in_the_pages_language(client, market):
    """Its stored title is the platform's English "Founding rule set"."""
    from tests.factories.work import ensure_founded

    ensure_founded(market.coop_a)
    login_verified(client, market.member_a)
    page = client.get("/c/alpha/rules/").content.decode()
    assert "Founding rule set" not in page
    assert "Oprichtingsvergadering" in page


def test_saving_a_new_g_account_says_it_waits_for_a_second_board_member(client, market):
    from members.models import SecondApproval

    login_verified(client, market.board_a)
    form = client.get("/c/alpha/settings/").context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["g_account_iban"] = "NL91ABNA0417164300"
    data["area_postcodes"] = ""
    response = client.post("/c/alpha/settings/", data, follow=True)
    assert response.status_code == 200
    assert SecondApproval.objects.filter(cooperative=market.coop_a).exists()
    levels = [m.level_tag for m in response.context["messages"]]
    assert levels == ["success", "info"], levels


def test_the_code_page_shows_no_registration_warning_before_the_second_factor(
    client, settled, monkeypatch
):
    from datetime import date

    from members.models import TotpDevice
    from members.services import registrations

    monkeypatch.setattr(registrations, "_today", lambda: date(2026, 12, 1))
    TotpDevice.objects.get_or_create(user=settled.board_a, name="default", confirmed=True)
    client.force_login(settled.board_a)  # the password, not yet the code
    page = client.get("/account/2fa/verify/").content.decode()
    assert "Wtta" not in page
    login_verified(client, settled.board_a)
    assert "Wtta" in client.get("/c/alpha/settings/").content.decode()


def test_the_board_gives_a_job_price_with_a_decimal_comma(client, market):
    from jobs.models import Job

    login_verified(client, market.board_a)
    response = client.post(
        "/work/jobs/new/",
        {
            "client": market.client_a.pk,
            "cooperative": market.coop_a.slug,
            "title": "Heg snoeien",
            "category": "greening",
            "street": "Marshalllaan 12",
            "postcode": "3526GA",
            "city": "Utrecht",
            "client_tariff": "34,50",
            "engagements": ["employee", "self_employed", "volunteer"],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    assert str(Job.objects.get(title="Heg snoeien").client_tariff.amount) == "34.50"
