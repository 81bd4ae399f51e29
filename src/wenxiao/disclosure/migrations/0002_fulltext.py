from django.db import migrations

from wenxiao.core.search import fts_migration


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0001_initial")]

    operations = [fts_migration("disclosure_publication")]
