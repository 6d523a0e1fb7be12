"""Every bump of a data version notifies ``tracker_data_versions`` at commit, so that web workers
can remember the versions between writes (D-16-29); the ledger gets the version trigger too,
because its head rides on the versions a worker remembers."""

from django.db import migrations

from tracker.versions import install_function, install_triggers, remove_triggers

TABLES = ("commitments_ledgerentry",)


def forwards(apps, schema_editor):
    install_function(schema_editor)
    install_triggers(schema_editor, TABLES)


def backwards(apps, schema_editor):
    # The function keeps its notification: with nobody listening it costs nothing.
    remove_triggers(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("tracker", "0005_tallies"),
        ("commitments", "0018_answered_review_reported_index"),
    ]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
