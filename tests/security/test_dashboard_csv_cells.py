"""The dashboard's CSV files: amounts and hours are numbers, negative ones too (a fund that
lent more than it holds, a month of refunds): only text is neutralised against formulas,
and no cell of the file comes from what a member or client typed."""

import csv
import io
from datetime import date

from members.models import Cooperative
from payouts.dashboard import Dashboard, Figure, Series, figure_csv
from werkstation.spreadsheet import FORMULA_START


def test_negative_amounts_and_hours_stay_numbers_in_the_csv():
    dashboard = Dashboard(
        cooperative=Cooperative(slug="alpha", name="=HYPERLINK(1)", currency="EUR"),
        months=[date(2026, 10, 1), date(2026, 11, 1)],
        figures=[],
    )
    figure = Figure(
        key="fund",
        title="Fund",
        chart="line",
        series=[
            Series("fund_balance_cents", "Balance", "cents", [-1250, 300]),
            Series("minutes_worked", "Hours", "minutes", [-90, 30]),
        ],
    )
    rows = list(csv.reader(io.StringIO(figure_csv(dashboard, figure))))
    assert rows[1] == ["2026-10", "-12.50", "-1.50"]
    assert rows[2] == ["2026-11", "3.00", "0.50"]
    # Every cell is the month, a number, or a header the platform wrote.
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_START) or cell.lstrip("-")[:1].isdigit()
