"""`tellonce seed`: the synthetic borough of Northbrook, with its demo logins.

Running it again for the same borough does nothing but print the logins; asking for a
different borough on a seeded database is refused. Output is counts, timings and the
demo logins, never a person's name, date of birth or identifier.
"""

from __future__ import annotations

from argparse import ArgumentParser, ArgumentTypeError
from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tellonce.borough import demo
from tellonce.borough.mash import demo_contacts
from tellonce.borough.services import (
    DEFAULT_CHILDREN,
    DEFAULT_SEED,
    SeedRefusedError,
    borough_seed,
    seed_dir,
)


def _whole_number(value: str, minimum: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ArgumentTypeError(f"must be a whole number, not {value!r}") from None
    if number < minimum:
        raise ArgumentTypeError(f"must be {minimum} or more, not {number}")
    return number


def _positive(value: str) -> int:
    return _whole_number(value, 1)


def _natural(value: str) -> int:
    return _whole_number(value, 0)


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(f"must be a real date as YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = "Seed the synthetic borough of Northbrook (made-up people only) and demo logins."

    def add_arguments(self, parser: CommandParser | ArgumentParser) -> None:
        parser.add_argument(
            "--children",
            type=_positive,
            default=DEFAULT_CHILDREN,
            help=f"How many children live in the borough (default {DEFAULT_CHILDREN:,}).",
        )
        parser.add_argument(
            "--seed",
            type=_natural,
            default=DEFAULT_SEED,
            help="The random seed: the same seed gives the same borough (default 1).",
        )
        parser.add_argument(
            "--mash-contacts",
            type=_natural,
            default=None,
            help=(
                "How many contacts the MASH received in the year before --as-of"
                f" (default {demo_contacts(DEFAULT_CHILDREN):,} for {DEFAULT_CHILDREN:,}"
                " children, in proportion for other sizes)."
            ),
        )
        parser.add_argument(
            "--link",
            action="store_true",
            help=(
                "Then train a linkage model and link the borough with it, unless a model is"
                " active already, and let a new family arrive through the agencies' systems"
                " (what `make demo` does; about a minute and a half)."
            ),
        )
        parser.add_argument(
            "--as-of",
            type=_day,
            default=None,
            help="The day ages and dates count from, YYYY-MM-DD (default today).",
        )

    def handle(
        self,
        *args: Any,
        children: int,
        seed: int,
        as_of: date | None,
        mash_contacts: int | None = None,
        **options: Any,
    ) -> None:
        try:
            result = borough_seed(
                children=children,
                seed=seed,
                as_of=as_of,
                mash_contacts=mash_contacts,
                progress=self.stdout.write,
            )
        except SeedRefusedError as exc:
            raise CommandError(str(exc)) from exc
        run = result.run
        if not result.created:
            self.stdout.write(
                f"The borough is already seeded ({run.children:,} children, seed {run.seed},"
                f" as of {run.as_of:%d %B %Y}): nothing to do."
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Seeded Northbrook: {run.people:,} people, {run.agency_records:,} agency"
                    f" records. Linkage ground truth: {seed_dir() / 'ground_truth.csv'}"
                )
            )
        if options.get("link"):
            self._link(seed)
        self._logins(result.tokens)

    def _link(self, seed: int) -> None:
        """The demo's linkage: a trained model, the borough linked, a family arriving."""
        import time

        from django.utils import timezone

        from tellonce.linkage.services import (
            LinkageNotReadyError,
            active_model,
            link_run,
            linkage_model_train,
        )

        try:
            active_model()
        except LinkageNotReadyError:
            tick = time.perf_counter()
            model = linkage_model_train(seed=seed)
            self.stdout.write(
                f"Linkage model {model.version} trained ({time.perf_counter() - tick:.0f} s)"
            )
            tick = time.perf_counter()
            run = link_run()
            self.stdout.write(
                f"Linked {run.records:,} records into persons ({time.perf_counter() - tick:.0f} s)"
            )
        started_on = (timezone.localdate() - timedelta(days=3)).isoformat()
        family = demo.demo_family_arrives(started_on=started_on)
        if family["records"]:
            self.stdout.write(
                f"A family new to TellOnce arrived through the school's, housing's and health"
                f" visiting's systems ({family['records']} records): one household, and each"
                " team told of the others"
            )

    def _logins(self, tokens: dict[str, str]) -> None:
        rows = demo.demo_logins()
        width_user = max(len("Username"), *(len(r[0]) for r in rows))
        width_role = max(len("Role"), *(len(r[1]) for r in rows))
        out = self.stdout
        out.write("")
        out.write("Demo logins (synthetic borough only):")
        out.write(f"  {'Username':<{width_user}}  {'Role':<{width_role}}  Team")
        for username, role, team in rows:
            out.write(f"  {username:<{width_user}}  {role:<{width_role}}  {team}")
        out.write(f"  Password for every demo login: {demo.DEMO_PASSWORD}")
        if tokens:
            out.write("")
            out.write("API tokens for agency system accounts (Authorization: Token <key>):")
            for username, key in sorted(tokens.items()):
                out.write(f"  {username}: {key}")
        out.write("")
        out.write(f"Open {demo.URL} and sign in.")
