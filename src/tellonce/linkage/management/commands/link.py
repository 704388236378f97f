"""`tellonce link …`: record linkage from the command line.

- `tellonce link train`: train a model on every agency record; it becomes the next
  version, active.
- `tellonce link run`: link every agency record into persons with the active model.
- `tellonce link thresholds [--match P] [--review P]`: show or set the active model's
  grey zone (linked at or above the match threshold, reviewed from the review one).
- `tellonce link evaluate --left A.csv [--right B.csv] --map MAPPING.yaml
  [--truth TRUTH.csv] --out DIR [--threshold P]`: link any CSV files, judge against truth.
"""

from __future__ import annotations

from argparse import ArgumentParser, ArgumentTypeError
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tellonce.feeds.mapping import ColumnMapping, MappingError
from tellonce.linkage.evaluate import EvaluationError, evaluate
from tellonce.linkage.services import (
    LinkageNotReadyError,
    active_model,
    link_run,
    linkage_model_train,
    linkage_thresholds_set,
)


def _existing_file(value: str) -> Path:
    path = Path(value)
    if not path.is_file():
        raise ArgumentTypeError(f"there is no file {value}")
    return path


def _probability(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise ArgumentTypeError(f"must be a number between 0 and 1, not {value!r}") from None
    if not 0 < number < 1:
        raise ArgumentTypeError(f"must be between 0 and 1, not {number}")
    return number


def _probability_or_one(value: str) -> float:
    if value.strip() in ("1", "1.0"):
        return 1.0
    return _probability(value)


class Command(BaseCommand):
    help = "Record linkage: train a model, link agency records into persons, evaluate."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        train = actions.add_parser("train", help="Train a new model version on every agency record")
        train.add_argument("--seed", type=int, default=1)
        actions.add_parser("run", help="Link every agency record into persons")
        thresholds = actions.add_parser(
            "thresholds", help="Show or set the match and review thresholds (the grey zone)"
        )
        thresholds.add_argument("--match", type=_probability_or_one, help="Linked at or above")
        thresholds.add_argument("--review", type=_probability, help="Reviewed from here up")
        ev = actions.add_parser(
            "evaluate", help="Link one CSV (dedupe) or two, train on them, measure against truth"
        )
        ev.add_argument("--left", type=_existing_file, required=True, help="The (first) CSV")
        ev.add_argument("--right", type=_existing_file, help="A second CSV to link to the first")
        ev.add_argument(
            "--map",
            type=_existing_file,
            required=True,
            dest="mapping",
            help="YAML from TellOnce field names to the files' columns",
        )
        ev.add_argument("--truth", type=_existing_file, help="CSV of left_id,right_id true pairs")
        ev.add_argument("--out", type=Path, required=True, help="Directory for the results")
        ev.add_argument("--threshold", type=_probability, default=0.99)
        ev.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            if action == "train":
                trained = linkage_model_train(seed=options["seed"])
                self.stdout.write(
                    f"Trained linkage model {trained.version} on"
                    f" {trained.records_trained_on} agency records; it is now in use."
                )
            elif action == "run":
                run = link_run()
                self.stdout.write(
                    f"Linked {run.records} agency records with model {run.model.version}:"
                    f" {run.persons_new} new persons, {run.merges} merges, {run.splits} splits,"
                    f" {run.review_pairs} pairs for review ({run.pairs_scored} pairs scored)."
                )
            elif action == "thresholds":
                self._thresholds(options["match"], options["review"])
            elif action == "evaluate":
                self._evaluate(**options)
        except LinkageNotReadyError as exc:
            raise CommandError(str(exc)) from exc

    def _thresholds(self, match: float | None, review: float | None) -> None:
        if match is not None or review is not None:
            try:
                model = linkage_thresholds_set(match=match, review=review)
            except ValidationError as exc:
                problems = "; ".join(
                    f"--{field}: {' '.join(messages)}"
                    for field, messages in exc.message_dict.items()
                )
                raise CommandError(problems) from exc
        else:
            model = active_model()
        self.stdout.write(
            f"Linkage model {model.version}: pairs at or above {model.match_threshold} are"
            f" linked; from {model.review_threshold} up to that they go to review."
        )

    def _evaluate(
        self,
        *,
        left: Path,
        right: Path | None,
        mapping: Path,
        truth: Path | None,
        out: Path,
        threshold: float,
        seed: int,
        **_: Any,
    ) -> None:
        try:
            column_mapping = ColumnMapping.load(mapping)
            metrics = evaluate(
                left=left,
                right=right,
                mapping=column_mapping,
                out=out,
                truth=truth,
                threshold=threshold,
                seed=seed,
            )
        except (MappingError, EvaluationError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Linked {metrics['records']} records in {metrics['seconds']} s:"
            f" {metrics['pairs_at_threshold']} pairs at or above {threshold},"
            f" {metrics['clusters']} clusters."
        )
        if metrics["f1"] is not None:
            self.stdout.write(
                f"Against the truth ({metrics['true_pairs']} pairs): precision"
                f" {metrics['precision']:.4f}, recall {metrics['recall']:.4f},"
                f" F1 {metrics['f1']:.4f}."
            )
        for key, what in (
            ("blanked_values", "Values not read (left blank)"),
            ("kept_in_plain_form", "Values not in a UK format (compared as they are)"),
        ):
            for side, counts in metrics[key].items():
                if counts:
                    listed = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
                    self.stdout.write(f"{what}, {side} file: {listed}")
        self.stdout.write(f"Wrote pairs.csv, clusters.csv and metrics.json to {out}")
