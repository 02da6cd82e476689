from django.db import migrations


class Migration(migrations.Migration):
    """`url` clashed with the REST API's own `url` (the object's API link): the Dashboard URL is `dashboard_url`."""

    dependencies = [("nautobot_meraki_users", "0001_initial")]

    operations = [migrations.RenameField(model_name="merakiorganization", old_name="url", new_name="dashboard_url")]
