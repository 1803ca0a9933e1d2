from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shuraba.importers.evaluate import suggestions_evaluate
from shuraba.importers.queues import suggestions_requeue

FICTIONAL = (
    "Note: on the shipped sample catalog the editor-classified titles are fictional, so this measures the "
    "pipeline (features, training, prediction), not how well it classifies real manga."
)


class Command(BaseCommand):
    help = "Classification suggestions: `evaluate` (held-out accuracy) or `queue` (suggest again for imported titles)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        evaluate = sub.add_parser("evaluate", help="accuracy on a held-out share of editor-classified titles")
        evaluate.add_argument("--test-share", type=float, default=0.25, help="share held out (default 0.25)")
        evaluate.add_argument("--seed", type=int, default=0, help="seed of the split (default 0)")
        sub.add_parser("queue", help="retrain and queue suggestions for every imported title")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "queue":
            self.stdout.write(f"{suggestions_requeue()} suggestion(s) queued or updated")
            return
        if not 0.0 < options["test_share"] < 1.0:
            raise CommandError("--test-share must lie between 0 and 1", returncode=2)
        scores = suggestions_evaluate(test_share=options["test_share"], seed=options["seed"])
        if not scores:
            raise CommandError("no editor-classified titles to evaluate on", returncode=2)
        self.stdout.write(f"{'axis':<16}{'train':>7}{'test':>6}{'accuracy':>10}{'baseline':>10}")
        for s in scores:
            self.stdout.write(f"{s.axis:<16}{s.trained_on:>7}{s.tested_on:>6}{s.accuracy:>10.2f}{s.baseline:>10.2f}")
        self.stdout.write("baseline: always the most common value of the training share")
        self.stdout.write(FICTIONAL)
