"""The legal figures from 1 January 2025, each with its source.

``verify`` marks every figure that could not be confirmed at the official source when this was
written (the official sites were not reachable from where it was written); staff check those at
the source and clear the mark in the admin. The minimum wage from 1 July 2026 is not shipped: it
could not be looked up, and a guess would be worse than the reminder staff get while it is
missing (werkstation.tasks.legal_figures_reminder).
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

WAGE_2025 = "https://www.rijksoverheid.nl/onderwerpen/minimumloon/bedragen-minimumloon/bedragen-minimumloon-2025"
WAGE_2026 = "https://www.rijksoverheid.nl/onderwerpen/minimumloon/bedragen-minimumloon/bedragen-minimumloon-2026"
VOLUNTEER = "https://www.belastingdienst.nl/wps/wcm/connect/nl/vrijwilligers/content/vrijwilligersvergoeding"
VAT = "https://www.belastingdienst.nl/wps/wcm/connect/nl/btw/content/btw-tarief-berekenen"
WORKING_TIME = "https://wetten.overheid.nl/BWBR0007671/"

Y2025, H2_2025, Y2026 = date(2025, 1, 1), date(2025, 7, 1), date(2026, 1, 1)

# (key, from, value, source, verify, note)
FIGURES = [
    ("minimum_wage_hourly", Y2025, "14.06", WAGE_2025, True, "secondary sources agree"),
    ("minimum_wage_hourly", H2_2025, "14.40", WAGE_2025, True, ""),
    ("minimum_wage_hourly", Y2026, "14.71", WAGE_2026, True, "secondary sources agree"),
    # Youth percentages of the adult minimum wage (unchanged since 1 July 2019).
    *[
        (f"minimum_wage_percent_age_{age}", Y2025, percent, WAGE_2025, True, "")
        for age, percent in (
            (20, "80"),
            (19, "60"),
            (18, "50"),
            (17, "39.5"),
            (16, "34.5"),
            (15, "30"),
        )
    ],
    ("volunteer_max_month", Y2025, "210", VOLUNTEER, True, ""),
    ("volunteer_max_year", Y2025, "2100", VOLUNTEER, True, ""),
    ("volunteer_max_month", Y2026, "220", VOLUNTEER, True, ""),
    ("volunteer_max_year", Y2026, "2200", VOLUNTEER, True, ""),
    ("volunteer_max_hourly", Y2025, "5.60", VOLUNTEER, True, "one secondary source"),
    ("volunteer_max_hourly_under_21", Y2025, "3.30", VOLUNTEER, True, "one secondary source"),
    ("vat_standard_percent", Y2025, "21", VAT, False, "21 % since 1 October 2012"),
    # Arbeidstijdenwet, unchanged in 2025 and 2026.
    ("working_max_shift_hours", Y2025, "12", WORKING_TIME, False, ""),
    ("working_max_week_hours", Y2025, "60", WORKING_TIME, False, ""),
    ("working_average_4_weeks_hours", Y2025, "55", WORKING_TIME, False, ""),
    ("working_average_16_weeks_hours", Y2025, "48", WORKING_TIME, False, ""),
    ("daily_rest_hours", Y2025, "11", WORKING_TIME, False, "may be 8 once in 7 days"),
    ("daily_rest_shortened_hours", Y2025, "8", WORKING_TIME, False, ""),
    ("weekly_rest_7_days_hours", Y2025, "36", WORKING_TIME, False, ""),
    ("weekly_rest_14_days_hours", Y2025, "72", WORKING_TIME, False, ""),
    ("break_after_5_5_hours_minutes", Y2025, "30", WORKING_TIME, False, ""),
    ("break_after_10_hours_minutes", Y2025, "45", WORKING_TIME, False, ""),
    # 16 and 17 years old.
    ("minor_max_shift_hours", Y2025, "9", WORKING_TIME, False, ""),
    ("minor_max_week_hours", Y2025, "45", WORKING_TIME, False, ""),
    ("minor_average_4_weeks_hours", Y2025, "40", WORKING_TIME, False, ""),
    ("minor_daily_rest_hours", Y2025, "12", WORKING_TIME, False, ""),
    ("minor_break_after_4_5_hours_minutes", Y2025, "30", WORKING_TIME, False, ""),
]


def ship(apps, schema_editor):
    LegalParameter = apps.get_model("werkstation", "LegalParameter")
    for key, start, value, source, verify, note in FIGURES:
        LegalParameter.objects.get_or_create(
            key=key,
            effective_from=start,
            defaults={"value": Decimal(value), "source": source, "verify": verify, "note": note},
        )


def unship(apps, schema_editor):
    LegalParameter = apps.get_model("werkstation", "LegalParameter")
    for key, start, *_rest in FIGURES:
        LegalParameter.objects.filter(key=key, effective_from=start).delete()


class Migration(migrations.Migration):
    dependencies = [("werkstation", "0003_legal_parameters")]
    operations = [migrations.RunPython(ship, unship)]
