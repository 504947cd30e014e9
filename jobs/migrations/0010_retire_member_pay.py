"""Retire ``member_pay``: what a member receives is the client tariff split by the payout rules
(the price truth, ``payouts.selectors.quotes``), never a second price set per job.

Claims made before this change were shown ``member_pay`` for the shift's minutes. That amount
is kept on the claim as what the member was shown (marked ``legacy_member_pay``), so their pay
page can say why settlement pays another amount.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db import migrations


def keep_what_was_shown(apps, schema_editor):
    Claim = apps.get_model("jobs", "Claim")
    for claim in (
        Claim.objects.filter(quote__isnull=True)
        .select_related("shift__job")
        .iterator(chunk_size=2000)
    ):
        minutes = int((claim.end - claim.start).total_seconds() // 60)
        pay = claim.shift.job.member_pay
        cents = (getattr(pay, "amount", pay) * 100 * minutes / 60).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
        claim.quote = {"member_cents": int(cents), "minutes": minutes, "legacy_member_pay": True}
        claim.save(update_fields=["quote"])


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0009_claim_quote'),
    ]

    operations = [
        migrations.RunPython(keep_what_was_shown, migrations.RunPython.noop, elidable=True),
        migrations.RemoveConstraint(
            model_name='job',
            name='job_pay_non_negative',
        ),
        migrations.RemoveField(
            model_name='job',
            name='member_pay',
        ),
        migrations.RemoveField(
            model_name='job',
            name='member_pay_currency',
        ),
        migrations.RemoveField(
            model_name='ratecard',
            name='member_pay',
        ),
        migrations.RemoveField(
            model_name='ratecard',
            name='member_pay_currency',
        ),
    ]
