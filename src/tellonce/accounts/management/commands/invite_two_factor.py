"""`tellonce invite_two_factor USERNAME`: a one-time link for a worker to set up
two-factor sign-in, from the server's command line (the first administrator's own, or
a worker's whose phone was lost). Administrators invite others from the admin."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tellonce.accounts.models import User
from tellonce.accounts.services import enrolment_invite
from tellonce.audit.services import COMMAND_LINE


class Command(BaseCommand):
    help = "Print a one-time link for a worker to set up two-factor sign-in."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active account is called {username!r}")
        token = enrolment_invite(by=None, user=user, via=COMMAND_LINE)
        hours = settings.ENROLMENT_INVITATION_HOURS
        self.stdout.write(
            f"Give {user.get_full_name() or username} this link, valid for {hours} hours and"
            f" once only; they open it after signing in with their password:\n"
            f"{settings.SITE_URL}/sign-in/set-up-two-factor/?invitation={token}"
        )
