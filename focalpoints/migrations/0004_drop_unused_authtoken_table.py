"""DRF's ``rest_framework.authtoken`` was installed but never used (our API tokens are
``focalpoints.ApiToken``, stored hashed). It is no longer installed: drop its table, its
migration records and its content types where an earlier version created them. Idempotent, and
a no-op on a database that never had them."""

from django.db import migrations


def forget_authtoken(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    # Deleting the content types also deletes their permissions (cascade).
    ContentType.objects.filter(app_label="authtoken").delete()
    schema_editor.execute("DELETE FROM django_migrations WHERE app = 'authtoken'")


class Migration(migrations.Migration):
    dependencies = [
        ("focalpoints", "0003_change_times_on_memberships_and_figures"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunSQL(
            "DROP TABLE IF EXISTS authtoken_token",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.RunPython(forget_authtoken, migrations.RunPython.noop),
    ]
