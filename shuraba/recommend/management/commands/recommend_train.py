"""`shuraba recommend_train`: train the recommendations' collaborative model now and swap it in."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from shuraba.recommend.training import recommend_train


class Command(BaseCommand):
    help = "Train the recommendations' model from every library (well-kept ones teach it) and swap it in whole."

    def handle(self, *args: Any, **options: Any) -> None:
        trained = recommend_train()
        self.stdout.write(
            f"Trained on {trained.readers} well-kept libraries ({trained.entries} likes over {trained.titles} "
            f"titles) in {trained.seconds:.1f} s; the model is {trained.path}."
        )
