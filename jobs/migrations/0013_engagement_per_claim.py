"""Engagement per claim: a job lists the engagements it allows; each claim carries its own.

Existing jobs allow every engagement; existing claims take the engagement their member's
membership had, which is what settlement and payouts read until now.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

import werkstation.engagements

ENGAGEMENTS = [
    ("employee", "employee via a payroll provider"),
    ("self_employed", "self-employed"),
    ("volunteer", "volunteer"),
]


def claims_take_membership_engagement(apps, schema_editor):
    Claim = apps.get_model("jobs", "Claim")
    Membership = apps.get_model("members", "Membership")
    usual = Membership.objects.filter(
        user_id=OuterRef("user_id"), cooperative_id=OuterRef("shift__cooperative_id")
    ).values("engagement")[:1]
    for pk, engagement in Claim.objects.annotate(usual=Subquery(usual)).values_list("pk", "usual"):
        if engagement and engagement != "self_employed":
            Claim.objects.filter(pk=pk).update(engagement=engagement)


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0012_client_g_account"),
        ("members", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="job",
            name="engagements",
            field=models.JSONField(
                default=werkstation.engagements.all_engagements,
                verbose_name="engagements allowed",
            ),
        ),
        migrations.AddField(
            model_name="claim",
            name="engagement",
            field=models.CharField(
                choices=ENGAGEMENTS,
                default="self_employed",
                max_length=16,
                verbose_name="engagement",
            ),
        ),
        migrations.RunPython(claims_take_membership_engagement, migrations.RunPython.noop),
    ]
