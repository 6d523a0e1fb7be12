"""Assessor organisations, independent assessments with their evidence, and the States' replies
are public (the commitment page, the API, the exports): their tables get the data-version
trigger like every other public table (D-16-1). Memberships are private and need none."""

from django.db import migrations

from tracker.versions import install_triggers, remove_triggers

TABLES = (
    "focalpoints_organisation",
    "commitments_assessment",
    "commitments_assessmentevidence",
    "commitments_assessmentreply",
)


def forwards(apps, schema_editor):
    install_triggers(schema_editor, TABLES)


def backwards(apps, schema_editor):
    remove_triggers(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0003_documented_practice_and_translations_data_version"),
        ("commitments", "0012_independent_assessments_and_replies"),
        ("focalpoints", "0010_assessor_organisations"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
