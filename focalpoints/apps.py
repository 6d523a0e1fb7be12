from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FocalPointsConfig(AppConfig):
    name = "focalpoints"
    verbose_name = _("States and focal points")

    def ready(self):
        from django.contrib.auth.signals import user_login_failed

        from focalpoints.lockout import record_login_failure

        # Counting failures per address is what the lock-out needs (focalpoints/lockout.py).
        user_login_failed.connect(record_login_failure, dispatch_uid="login-failures-per-ip")
