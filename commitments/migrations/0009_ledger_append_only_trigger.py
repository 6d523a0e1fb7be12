"""The ledger refuses UPDATE and DELETE in PostgreSQL itself (a trigger), so no code path, admin
or raw SQL session of the application's role can rewrite history quietly. Elsewhere (SQLite, the
embedded default) the model refuses as for every append-only table."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION commitments_ledger_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the ledger is append-only: % refused on entry %', TG_OP, OLD.sequence
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER commitments_ledger_append_only
    BEFORE UPDATE OR DELETE ON commitments_ledgerentry
    FOR EACH ROW EXECUTE FUNCTION commitments_ledger_refuse_change();
"""
DROP = """
DROP TRIGGER IF EXISTS commitments_ledger_append_only ON commitments_ledgerentry;
DROP FUNCTION IF EXISTS commitments_ledger_refuse_change();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("commitments", "0008_revisions_requests_and_ledger")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
