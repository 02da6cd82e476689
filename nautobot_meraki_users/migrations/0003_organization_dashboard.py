from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("nautobot_meraki_users", "0002_organization_dashboard_url"),
    ]

    operations = [
        migrations.AddField(
            model_name="merakiorganization",
            name="dashboard",
            field=models.CharField(
                blank=True,
                db_index=True,
                help_text="The connection the app reaches it through: an ExternalIntegration's name, or 'default'.",
                max_length=255,
                verbose_name="Dashboard connection",
            ),
        ),
    ]
