"""Each split keeps the engagement of the claim it settles (existing splits: the claim's)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def splits_take_claim_engagement(apps, schema_editor):
    Split = apps.get_model("payouts", "Split")
    Timesheet = apps.get_model("jobs", "Timesheet")
    engagement = Timesheet.objects.filter(pk=OuterRef("timesheet_id")).values(
        "claim__engagement"
    )[:1]
    Split.objects.exclude(
        timesheet__claim__engagement="self_employed"
    ).update(engagement=Subquery(engagement))


class Migration(migrations.Migration):
    dependencies = [
        ("payouts", "0017_g_account"),
        ("jobs", "0013_engagement_per_claim"),
    ]

    operations = [
        migrations.AddField(
            model_name="split",
            name="engagement",
            field=models.CharField(
                choices=[
                    ("employee", "employee via a payroll provider"),
                    ("self_employed", "self-employed"),
                    ("volunteer", "volunteer"),
                ],
                default="self_employed",
                max_length=16,
            ),
        ),
        migrations.RunPython(splits_take_claim_engagement, migrations.RunPython.noop),
    ]
