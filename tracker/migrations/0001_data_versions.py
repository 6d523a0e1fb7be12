"""Data versions maintained by triggers (D-16-1): the tables whose rows the public site and the
API show. A table added to a public answer later gets its own migration calling
``install_triggers`` with it."""

from django.db import migrations, models

from tracker.versions import install_triggers, remove_triggers

TABLES = (
    "commitments_commitment",
    "commitments_commitment_channels",
    "commitments_commitment_resolutions",
    "commitments_evidence",
    "commitments_preventionstep",
    "commitments_preventionstep_channels",
    "commitments_preventionstep_risk_factors",
    "commitments_progressupdate",
    "commitments_resolution",
    "commitments_resolution_states",
    "commitments_riskfactor",
    "commitments_scrutinychannel",
    "focalpoints_focalpoint",
    "focalpoints_memberstate",
    "focalpoints_network",
    "focalpoints_networkmembership",
    "focalpoints_referencefigure",
)


def forwards(apps, schema_editor):
    install_triggers(schema_editor, TABLES)


def backwards(apps, schema_editor):
    remove_triggers(schema_editor, TABLES)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("commitments", "0007_merge_0005_risk_factor_updated_at_0006_pledge_origin"),
        ("focalpoints", "0005_api_token_expiry_state_and_issuer"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataVersion",
            fields=[
                ("table", models.CharField(max_length=63, primary_key=True, serialize=False)),
                ("version", models.BigIntegerField(default=0)),
                ("changed_at", models.DateTimeField(null=True)),
            ],
            options={"verbose_name": "data version"},
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
