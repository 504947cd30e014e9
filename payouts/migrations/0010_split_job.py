"""Splits keep the job of their timesheet (invoicing reads splits and jobs only)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_job(apps, schema_editor):
    Split = apps.get_model("payouts", "Split")
    Timesheet = apps.get_model("jobs", "Timesheet")
    Split.objects.filter(job__isnull=True).update(
        job=Subquery(Timesheet.objects.filter(pk=OuterRef("timesheet_id")).values("claim__shift__job")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0001_initial"),
        ("payouts", "0009_invoiceline_fillfactor"),
    ]

    operations = [
        migrations.AddField(
            model_name="split",
            name="job",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="jobs.job",
            ),
        ),
        migrations.RunPython(fill_job, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="split",
            name="job",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="jobs.job",
            ),
        ),
    ]
