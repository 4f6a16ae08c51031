"""Resume (or report failed) the scaffold runs whose worker died or whose message was lost.

Workers do this when they start and beat does it every minute; this command is for operators
(after a broker outage, say) and for deployments without beat.
"""

from django.core.management.base import BaseCommand

from scaffolding.runner import reap_stalled_runs


class Command(BaseCommand):
    help = "Resume or fail scaffold runs whose worker stopped, or that no worker took."

    def handle(self, *args, **options):
        handled = reap_stalled_runs()
        self.stdout.write(f"{len(handled)} run(s) sent again or reported: {' '.join(handled)}")
