"""How tables read on a phone: headings and buttons never break inside a word."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

CSS = Path(__file__).resolve().parents[2] / "werkstation/static/css/app.css"


def test_table_headings_and_cell_buttons_break_between_words_only():
    # main sets overflow-wrap: anywhere, so at 360 px a client's shift table read
    # "Wannee/r · Plaatse/n · Aanmelding/en" and its cancel button "Annu/leren".
    css = CSS.read_text()
    assert re.search(r"main \{ overflow-wrap: anywhere; \}", css)
    rule = re.search(r"^th, td summary, td button \{([^}]*)\}", css, re.M)
    assert rule
    assert "overflow-wrap: normal" in rule.group(1)


@pytest.mark.django_db
def test_a_jobs_shift_table_becomes_labelled_cards_on_a_phone(market):
    # Three columns plus a cancel control do not fit 360 px; as cards each value keeps its name.
    client = Client()
    client.force_login(market.client_user)
    html = client.get(f"/work/jobs/{market.job.pk}/").content.decode()
    assert '<table class="stack" id="job-shifts">' in html
    for label in ("Wanneer", "Plaatsen", "Aanmeldingen"):
        assert f'<td data-label="{label}">' in html
