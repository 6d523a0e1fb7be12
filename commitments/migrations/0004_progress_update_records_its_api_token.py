import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0003_reminder_delivery_claim_and_mailbox"),
        ("focalpoints", "0005_api_token_expiry_state_and_issuer"),
    ]

    operations = [
        migrations.AddField(
            model_name="progressupdate",
            name="api_token",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="Empty when posted through the web pages or the admin. Staff only.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="progress_updates",
                to="focalpoints.apitoken",
                verbose_name="posted with API token",
            ),
        ),
    ]
