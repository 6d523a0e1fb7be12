"""Build and publish the open-data zip now (what beat does every minute after data changes)."""

from django.core.management.base import BaseCommand

from tracker import opendata


class Command(BaseCommand):
    help = "Build the open-data zip now, if the data changed (--force: even if not)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="build even if up to date")

    def handle(self, *args, force=False, **options):
        self.stdout.write("Building the open-data zip…")
        result = opendata.refresh(force=force)
        if result["built"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Published {result['path']} ({result['size_bytes']:,} bytes, "
                    f"data version {result['version']})."
                )
            )
        else:
            self.stdout.write(f"Nothing built: {result['reason']} (version {result['version']}).")
