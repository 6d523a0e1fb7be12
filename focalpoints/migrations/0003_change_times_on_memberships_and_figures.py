import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """Give network memberships and sourced figures a change time, so the public data version
    (and the caches keyed on it) notices when the secretariat edits one in place."""

    dependencies = [
        ("focalpoints", "0002_api_token"),
    ]

    operations = [
        migrations.AddField(
            model_name="networkmembership",
            name="updated_at",
            field=models.DateTimeField(
                auto_now=True, default=django.utils.timezone.now, verbose_name="last changed"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="referencefigure",
            name="updated_at",
            field=models.DateTimeField(
                auto_now=True, default=django.utils.timezone.now, verbose_name="last changed"
            ),
            preserve_default=False,
        ),
    ]
