"""A secret ballot stays secret.

PostgreSQL only: a trigger refuses to change ``secret`` on a proposal that is no longer a
draft, whatever path the UPDATE takes. And audit rows written before this change, which
named the voter of a secret vote, now say only that a vote was cast.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION members_proposal_secret_fixed() RETURNS trigger AS $$
BEGIN
    IF NEW.secret IS DISTINCT FROM OLD.secret AND OLD.status <> 'draft' THEN
        RAISE EXCEPTION 'whether proposal % is a secret ballot is fixed once it opens', OLD.id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER members_proposal_secret_fixed
    BEFORE UPDATE ON members_proposal
    FOR EACH ROW EXECUTE FUNCTION members_proposal_secret_fixed();
"""

DROP = """
DROP TRIGGER IF EXISTS members_proposal_secret_fixed ON members_proposal;
DROP FUNCTION IF EXISTS members_proposal_secret_fixed();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)
    Proposal = apps.get_model("members", "Proposal")
    AuditEntry = apps.get_model("werkstation", "AuditEntry")
    secret = [str(pk) for pk in Proposal.objects.filter(secret=True).values_list("pk", flat=True)]
    AuditEntry.objects.filter(
        action="vote.cast", object_type="members.proposal", object_id__in=secret
    ).update(actor=None, data={"secret": True})


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("members", "0003_governance"), ("werkstation", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
