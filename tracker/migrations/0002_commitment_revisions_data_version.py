"""Pledge revisions are a public list (``/api/v1/commitment-revisions/``): their table gets the
data-version trigger like every other public table (D-16-1)."""

from django.db import migrations

from tracker.versions import install_triggers, remove_triggers

TABLES = ("commitments_commitmentrevision",)


def forwards(apps, schema_editor):
    install_triggers(schema_editor, TABLES)


def backwards(apps, schema_editor):
    remove_triggers(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0001_data_versions"),
        ("commitments", "0009_ledger_append_only_trigger"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
