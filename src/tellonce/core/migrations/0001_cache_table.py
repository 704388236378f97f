"""The shared cache's table (rate limits are counted there): `createcachetable` for the
database caches in settings; nothing for a cache kept elsewhere."""

from django.core.management import call_command
from django.db import migrations


def cache_table_create(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies: list = []
    operations = [migrations.RunPython(cache_table_create, migrations.RunPython.noop)]
