"""API tokens get an expiry (required: added nullable, filled, then required), an optional
State limit, who issued them, and when they were last renewed. Existing tokens expire one year
after they were issued (API_TOKEN_LIFETIME_DAYS at the time of the migration), or in 30 days if
that date has already passed, so no integration breaks on the day of the upgrade. Their issuer
is unknown (left empty)."""

import datetime

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def fill_expiry(apps, schema_editor):
    ApiToken = apps.get_model("focalpoints", "ApiToken")
    lifetime = datetime.timedelta(days=getattr(settings, "API_TOKEN_LIFETIME_DAYS", 365))
    grace = timezone.now() + datetime.timedelta(days=30)
    for token in ApiToken.objects.filter(expires_at__isnull=True).only("pk", "created_at"):
        token.expires_at = max(token.created_at + lifetime, grace)
        token.save(update_fields=["expires_at"])


class Migration(migrations.Migration):
    dependencies = [
        ("focalpoints", "0004_drop_unused_authtoken_table"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(editable=False, null=True, verbose_name="expires at"),
        ),
        migrations.RunPython(fill_expiry, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(editable=False, verbose_name="expires at"),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="issued_by",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="Who asked for the token: its holder, or staff on the holder's behalf.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="issued by",
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="renewed_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="last renewed at"
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="state",
            field=models.ForeignKey(
                blank=True,
                help_text="Empty: every State its holder acts for.",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="focalpoints.memberstate",
                verbose_name="limited to State",
            ),
        ),
    ]
