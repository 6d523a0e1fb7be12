"""The public data's version, maintained by the database itself (see tracker/versions.py)."""

from django.db import models


class DataVersion(models.Model):
    """One row per table the public site and the API show: a counter and a time that database
    triggers bump in the same transaction as any insert, update or delete on that table
    (whoever writes: services, admin, bulk loads, raw SQL). The API's ETag and Last-Modified
    read these few rows instead of aggregating the tables (D-16-1)."""

    table = models.CharField(max_length=63, primary_key=True)
    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = "data version"

    def __str__(self) -> str:
        return f"{self.table} v{self.version}"
