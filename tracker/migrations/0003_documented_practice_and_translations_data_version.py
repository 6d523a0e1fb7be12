"""Documented practice and the translations of update narratives are public (their own list, and
the updates' and commitments' timelines): their tables get the data-version trigger like every
other public table (D-16-1)."""

from django.db import migrations

from tracker.versions import install_triggers, remove_triggers

TABLES = ("commitments_documentedpractice", "commitments_updatetranslation")


def forwards(apps, schema_editor):
    install_triggers(schema_editor, TABLES)


def backwards(apps, schema_editor):
    remove_triggers(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0002_commitment_revisions_data_version"),
        ("commitments", "0011_merge_ledger_and_four_languages"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
