"""Mark failed every job still `running` past its time limit (for cron; the API does it on reads)."""

from django.core.management.base import BaseCommand

from gpts.services import jobs_fail_stale, stale_job_cutoff_seconds


class Command(BaseCommand):
    help = "Mark failed, with the reason, every job still running after its time limit (its worker died)."

    def handle(self, *args, **options):
        count = jobs_fail_stale()
        self.stdout.write(f"Marked {count} stale job(s) failed (running for over {stale_job_cutoff_seconds()} s).")
