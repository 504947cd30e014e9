"""PostgreSQL only: a transaction's entries sum to zero, checked at commit.

A deferred constraint trigger runs after the last statement of the database
transaction, so a ledger transaction can be written leg by leg (or in bulk) and is
judged as a whole. Entries are append-only: updates and deletes are refused.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION payouts_entry_zero_sum() RETURNS trigger AS $$
DECLARE total bigint;
BEGIN
    SELECT COALESCE(SUM(amount_cents), 0) INTO total FROM payouts_entry WHERE transaction_id = NEW.transaction_id;
    IF total <> 0 THEN
        RAISE EXCEPTION 'ledger transaction % does not sum to zero (%)', NEW.transaction_id, total
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER payouts_entry_zero_sum
    AFTER INSERT ON payouts_entry DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payouts_entry_zero_sum();

CREATE OR REPLACE FUNCTION payouts_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only; post a reversal instead'
        USING ERRCODE = 'check_violation';
END $$ LANGUAGE plpgsql;

CREATE TRIGGER payouts_entry_append_only
    BEFORE UPDATE OR DELETE ON payouts_entry
    FOR EACH ROW EXECUTE FUNCTION payouts_entry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS payouts_entry_zero_sum ON payouts_entry;
DROP TRIGGER IF EXISTS payouts_entry_append_only ON payouts_entry;
DROP FUNCTION IF EXISTS payouts_entry_zero_sum();
DROP FUNCTION IF EXISTS payouts_entry_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("payouts", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
