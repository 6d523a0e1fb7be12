import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from commitments import reference as commitment_reference
from focalpoints import reference as state_reference
from focalpoints.reference import ReferenceDataError


class Command(BaseCommand):
    help = (
        "Load the sourced reference data from data/reference/ (States, focal points, networks, "
        "headline figures, resolutions, risk factors, prevention steps, documented practice). "
        "Idempotent: creates what is missing; rows curated since are kept unless --update is "
        "given, which reports every row it changes."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--update",
            action="store_true",
            help="Overwrite rows that differ from the reference data (undoes curation).",
        )

    def handle(self, *args, update: bool = False, **options):
        started = time.monotonic()
        steps = [
            lambda: [state_reference.load_states(update=update)],
            lambda: [state_reference.load_focal_points(update=update)],
            lambda: state_reference.load_networks(update=update),
            lambda: [commitment_reference.load_channels(update=update)],
            lambda: [commitment_reference.load_risk_factors(update=update)],
            lambda: [commitment_reference.load_steps(update=update)],
            lambda: [commitment_reference.load_resolutions(update=update)],
            lambda: [commitment_reference.load_documented_practice(update=update)],
        ]
        try:
            with transaction.atomic():
                for index, step in enumerate(steps, start=1):
                    for report in step():
                        self.report(f"[{index}/{len(steps)}]", report)
        except ReferenceDataError as exc:
            raise CommandError(f"Nothing was loaded. {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(f"Reference data loaded in {time.monotonic() - started:.1f} s.")
        )

    def report(self, prefix: str, report) -> None:
        """The table's counts, then every row changed (``--update``) or kept as curated."""
        self.stdout.write(f"{prefix} {report.line()}")
        for change in report.changes:
            self.stdout.write(f"      changed: {change}")
        for where in report.kept:
            self.stdout.write(f"      kept as curated: {where}")
