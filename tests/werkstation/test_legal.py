"""The legal figures: the value in force on a date, with its source; staff keep them; the
volunteer maximums a board sets never pass the legal ones; a missing minimum wage is noticed."""

from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client

from members.models import Membership
from payouts.models import Split
from payouts.services.settlement import settlement_run
from tests.conftest import api_as
from tests.factories.api import login_verified
from tests.factories.work import ensure_founded
from tests.payouts.test_volunteers import SHARE, _worked_on
from werkstation.errors import Conflict
from werkstation.legal import Key, LegalTable, legal_value, minimum_wage_periods_missing
from werkstation.models import AuditEntry, LegalParameter
from werkstation.tasks import legal_figures_reminder

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("day", "euros"),
    [
        (date(2025, 1, 1), "14.06"),
        (date(2025, 6, 30), "14.06"),
        (date(2025, 7, 1), "14.40"),
        (date(2026, 1, 1), "14.71"),
        (date(2026, 12, 6), "14.71"),  # no later figure: the last one stays in force
    ],
)
def test_the_minimum_wage_in_force_on_a_date(day, euros):
    assert legal_value(Key.MINIMUM_WAGE_HOURLY, day) == Decimal(euros)
    assert LegalTable.load().minimum_wage_cents(day) == int(Decimal(euros) * 100)


def test_the_youth_minimum_wage_is_its_percentage_rounded_half_up():
    table = LegalTable.load()
    # 50 % of € 14,71 is € 7,355: half up to € 7,36.
    assert table.minimum_wage_cents(date(2026, 3, 1), age=18) == 736
    assert table.minimum_wage_cents(date(2026, 3, 1), age=20) == 1177
    assert table.minimum_wage_cents(date(2026, 3, 1), age=14) == 441  # the 15-year-olds' 30 %
    assert table.minimum_wage_cents(date(2026, 3, 1), age=30) == 1471


def test_a_date_before_the_table_is_an_error_naming_the_figure():
    with pytest.raises(Conflict) as caught:
        legal_value(Key.MINIMUM_WAGE_HOURLY, date(2024, 12, 31))
    assert caught.value.field == "minimum_wage_hourly"
    assert caught.value.code == "legal_figure_missing"


def test_every_figure_names_its_source_and_the_unconfirmed_ones_say_verify():
    rows = list(LegalParameter.objects.all())
    assert {row.key for row in rows} == {key.value for key in Key}
    assert all(row.source.startswith("https://") for row in rows)
    # The statutory amounts that could not be confirmed at the official source are marked.
    unconfirmed = {row.key for row in rows if row.verify}
    assert {"minimum_wage_hourly", "volunteer_max_month", "volunteer_max_year"} <= unconfirmed
    assert not {"working_max_shift_hours", "vat_standard_percent"} & unconfirmed


@pytest.mark.parametrize(
    ("today", "missing"),
    [
        (date(2026, 3, 1), []),
        (date(2026, 6, 1), [date(2026, 7, 1)]),
        (date(2026, 7, 15), [date(2026, 7, 1)]),
        (date(2026, 12, 1), [date(2026, 7, 1), date(2027, 1, 1)]),
        (date(2025, 12, 1), []),  # 1 January 2026 is there
    ],
)
def test_the_periods_without_a_minimum_wage(today, missing):
    assert minimum_wage_periods_missing(LegalTable.load(), today) == missing


def test_staff_are_reminded_while_the_minimum_wage_is_missing(world):
    assert legal_figures_reminder(today="2026-03-02") == 0
    assert mail.outbox == []
    assert legal_figures_reminder(today="2026-12-07") == 1
    assert mail.outbox[0].to == [world.staff.email]
    assert "1 juli 2026" in mail.outbox[0].body
    assert "1 januari 2027" in mail.outbox[0].body
    for start in (date(2026, 7, 1), date(2027, 1, 1)):
        LegalParameter.objects.create(
            key=Key.MINIMUM_WAGE_HOURLY,
            effective_from=start,
            value=Decimal("15.00"),
            source="https://www.rijksoverheid.nl/onderwerpen/minimumloon",
        )
    assert legal_figures_reminder(today="2026-12-14") == 0
    assert len(mail.outbox) == 1


def test_staff_add_a_figure_in_the_admin_and_it_is_audited(world):
    world.staff.is_superuser = True
    world.staff.save()
    browser = Client()
    login_verified(browser, world.staff)
    response = browser.post(
        "/admin/werkstation/legalparameter/add/",
        {
            "key": "minimum_wage_hourly",
            "effective_from": "2027-01-01",
            "value": "15.10",
            "source": "https://www.rijksoverheid.nl/onderwerpen/minimumloon",
            "note": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert legal_value(Key.MINIMUM_WAGE_HOURLY, date(2027, 1, 2)) == Decimal("15.10")
    entry = AuditEntry.objects.get(action="legal_parameter.added")
    assert entry.actor == world.staff
    assert entry.data["value"] == "15.10"


def test_a_board_may_set_lower_volunteer_maximums_never_higher(world):
    board = api_as(world.board_a)
    url = "/api/v1/cooperatives/alpha/money-settings/"
    above = board.put(url, {"volunteer_month_max_cents": 22001, "volunteer_year_max_cents": 100000})
    assert above.status_code == 400
    assert above.data["error"]["field"] == "volunteer_month_max_cents"
    assert "€ 220,00" in above.data["error"]["message"]
    year = board.put(url, {"volunteer_month_max_cents": 22000, "volunteer_year_max_cents": 220001})
    assert year.status_code == 400
    assert year.data["error"]["field"] == "volunteer_year_max_cents"
    assert board.get(url).data["volunteer_month_max_cents"] == 21000  # nothing written
    lower = board.put(url, {"volunteer_month_max_cents": 15000, "volunteer_year_max_cents": 150000})
    assert lower.status_code == 200


def test_without_a_board_setting_the_legal_maximum_of_the_work_year_applies(market):

    ensure_founded(market.coop_a)
    Membership.objects.filter(user=market.member_a, cooperative=market.coop_a).update(
        engagement="volunteer"
    )
    sheets = [_worked_on(market, date(2026, 2, day)) for day in (2, 3, 4)]
    settlement_run()
    splits = [Split.objects.get(timesheet=sheet) for sheet in sheets]
    # 2026: € 220 a month (2025 had € 210).
    assert sum(split.member_cents for split in splits) == 22000
    assert splits[2].withheld_cents == 3 * SHARE - 22000
