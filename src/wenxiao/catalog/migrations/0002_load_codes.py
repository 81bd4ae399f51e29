from django.db import migrations


def load(apps, schema_editor):
    from wenxiao.catalog.loader import load as load_codes

    load_codes(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
