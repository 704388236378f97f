"""API tokens are kept only as hashes (issue 12): each token Django REST framework kept
in plain text becomes a hashed, expiring `ApiToken` (it goes on working), and the plain
copy is deleted."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def tokens_hash(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("accounts", "ApiToken")
    days = getattr(settings, "API_TOKEN_DAYS", 365)
    for token in Token.objects.all():
        ApiToken.objects.create(
            user_id=token.user_id,
            key_hash=hashlib.sha256(token.key.encode()).hexdigest(),
            prefix=token.key[:8],
            expires_on=timezone.now() + timedelta(days=days),
        )
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_tokens_and_account_changes"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]
    operations = [migrations.RunPython(tokens_hash, migrations.RunPython.noop)]
