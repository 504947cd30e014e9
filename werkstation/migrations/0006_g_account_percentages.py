"""The G-account percentages (chain liability), from 1 January 2025, both marked ``verify``.

There is no statutory percentage: the share a client pays into the G-account is agreed
between the parties, to cover the wage tax, premiums and VAT it could be held liable for. The
Belastingdienst's guidance names 25 % of the invoice as a usual share when VAT is charged and a
lower share (here 20 %) when VAT is reverse-charged; we could not confirm that text at the
source (docs/money.md, "G-account"), hence ``verify``. Staff change them in the admin from a
date on.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

SOURCE = "https://www.belastingdienst.nl/wps/wcm/connect/nl/ketenaansprakelijkheid/content/g-rekening"
FIGURES = [
    ("g_account_percent", date(2025, 1, 1), "25", "usual share with VAT charged; agreed per client"),
    ("g_account_percent_reverse_charged", date(2025, 1, 1), "20", "usual share with VAT reverse-charged"),
]


def ship(apps, schema_editor):
    LegalParameter = apps.get_model("werkstation", "LegalParameter")
    for key, start, value, note in FIGURES:
        LegalParameter.objects.get_or_create(
            key=key,
            effective_from=start,
            defaults={"value": Decimal(value), "source": SOURCE, "verify": True, "note": note},
        )


def unship(apps, schema_editor):
    LegalParameter = apps.get_model("werkstation", "LegalParameter")
    for key, start, *_rest in FIGURES:
        LegalParameter.objects.filter(key=key, effective_from=start).delete()


class Migration(migrations.Migration):
    dependencies = [("werkstation", "0005_g_account_keys")]

    operations = [migrations.RunPython(ship, unship)]
