"""Involvements wait for confirmation before they open a record (decision 0008).

What was already in the register keeps counting (it came from agencies' systems and
the MASH), except what a practitioner said on a page or through the API: that now
waits for confirmation like any new one, with the usual days to get it from today.
"""

from datetime import timedelta

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

CHOICES = [
    ("system_of_record", "From the agency's own system"),
    ("tellonce", "TellOnce's own work"),
    ("confirmed", "Confirmed"),
    ("awaiting", "Waiting for confirmation"),
]


def sort_what_is_there(apps, schema_editor):
    Involvement = apps.get_model("involvements", "Involvement")
    mine = Involvement.objects.filter(source_system="TellOnce")
    mine.filter(capacity="mash_enquiry").update(confirmation="tellonce")
    said = mine.exclude(capacity="mash_enquiry").filter(
        recorded_by__isnull=False, recorded_by__is_system_account=False, ended_on__isnull=True
    )
    days = getattr(settings, "INVOLVEMENT_CONFIRM_DAYS", 5)
    said.update(confirmation="awaiting", confirm_by=timezone.now() + timedelta(days=days))


class Migration(migrations.Migration):
    dependencies = [
        ("involvements", "0002_one_lead_professional"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="involvement",
            name="confirmation",
            field=models.CharField(choices=CHOICES, default="system_of_record", max_length=20),
        ),
        migrations.AddField(
            model_name="involvement",
            name="confirmed_by",
            field=models.ForeignKey(
                blank=True,
                help_text="Who confirmed it: a manager of the team, the lead professional or a"
                " MASH manager.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="involvement",
            name="confirmed_on",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="involvement",
            name="confirm_by",
            field=models.DateTimeField(
                blank=True,
                help_text="An involvement waiting for confirmation lapses then.",
                null=True,
            ),
        ),
        migrations.RunPython(sort_what_is_there, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="involvement",
            name="confirmation",
            field=models.CharField(choices=CHOICES, default="awaiting", max_length=20),
        ),
    ]
