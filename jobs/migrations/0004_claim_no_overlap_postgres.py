"""PostgreSQL only: no two slot-holding claims of one member overlap in time.

SQLite serialises writers and has no exclusion constraints; there the service's
check (with travel time) is the guard.
"""

from django.db import migrations

SLOT_HOLDING = "('claimed', 'offered', 'confirmed', 'completed', 'no_show')"

CREATE = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE jobs_claim ADD CONSTRAINT claim_member_no_overlap
    EXCLUDE USING gist (user_id WITH =, tstzrange(start, "end", '[)') WITH &&)
    WHERE (status IN {SLOT_HOLDING});
"""
DROP = "ALTER TABLE jobs_claim DROP CONSTRAINT IF EXISTS claim_member_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("jobs", "0003_marketplace")]
    operations = [migrations.RunPython(forwards, backwards)]
