from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from commitments import demo
from focalpoints.models import MemberState


class Command(BaseCommand):
    help = (
        "Create the clearly-labelled demonstration data set (demo accounts, fictional "
        "commitments and updates). Idempotent. --scale N adds N synthetic commitments with "
        "about ten updates each for benchmarks; --remove deletes every demo row."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=0, help="Synthetic commitments to ensure.")
        parser.add_argument("--remove", action="store_true", help="Delete all demonstration data.")
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Needed to seed demo accounts (with published passwords) when APP_ENV=production.",
        )

    def handle(self, *args, scale=0, remove=False, allow_production=False, **options):
        if remove:
            counts = demo.remove_demo_data()
            self.stdout.write(
                self.style.SUCCESS(
                    "Removed demonstration data: "
                    + ", ".join(f"{n} {name}" for name, n in counts.items())
                )
            )
            return
        if settings.PRODUCTION and not allow_production:
            raise CommandError(
                "Refusing to create demo accounts with published passwords in production. "
                "Pass --allow-production if this really is a demonstration server."
            )
        if not MemberState.objects.exists():
            raise CommandError("No States loaded: run `manage.py load_reference_data` first.")
        result = demo.seed_demo()
        self.stdout.write(
            f"Demo data: {result['accounts_created']} accounts and "
            f"{result['commitments_created']} commitments, "
            f"{result['organisations_created']} assessor organisations and "
            f"{result['assessments_created']} independent assessments created "
            "(existing demo rows left unchanged)."
        )
        names = dict(MemberState.objects.values_list("code", "name"))
        self.stdout.write("Demo log-ins (fictional accounts; remove with --remove):")
        for account in result["accounts"]:
            self.stdout.write(f"  {account.login_line(names)}")
        if scale:
            created = demo.seed_synthetic(scale, progress=self.stdout.write)
            self.stdout.write(self.style.SUCCESS(f"Synthetic commitments created: {created}."))
