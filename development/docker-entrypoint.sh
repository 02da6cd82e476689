#!/usr/bin/env bash
# Start-up of the `nautobot` service (docker-compose.base.yml):
#   1. apply migrations and the other post-upgrade steps (this also registers the app's Jobs),
#   2. create the superuser from DJANGO_SUPERUSER_USERNAME/PASSWORD/EMAIL (creds.env) if missing,
#   3. enable the app's Jobs, which Nautobot registers disabled, and create (or update) the demo Dashboard
#      connections "Meraki Global" and "Meraki Partner" (development/demo_dashboards.py, which
#      `development/dev.sh start` runs too): a Secret, a SecretsGroup and an ExternalIntegration each,
#   4. sync the Meraki inventory from the stand-in Dashboard (the job forms' dropdowns read it), then create (or
#      update) the demo access policy, drift included (development/demo_policy.py, which `dev.sh start` runs too),
#   5. exec the service command ("$@"), by default the development web server on port 8080.
set -euo pipefail

echo "docker-entrypoint: running nautobot-server post_upgrade"
nautobot-server post_upgrade

if [[ -n "${DJANGO_SUPERUSER_USERNAME:-}" && -n "${DJANGO_SUPERUSER_PASSWORD:-}" ]]; then
    if nautobot-server shell -c "import os, sys
from django.contrib.auth import get_user_model
sys.exit(0 if get_user_model().objects.filter(username=os.environ['DJANGO_SUPERUSER_USERNAME']).exists() else 1)"; then
        echo "docker-entrypoint: superuser '${DJANGO_SUPERUSER_USERNAME}' already exists"
    else
        echo "docker-entrypoint: creating superuser '${DJANGO_SUPERUSER_USERNAME}'"
        nautobot-server createsuperuser --noinput
    fi
else
    echo "docker-entrypoint: DJANGO_SUPERUSER_USERNAME or DJANGO_SUPERUSER_PASSWORD is not set; no superuser created." \
        "Set both in development/creds.env (see creds.example.env)."
fi

echo "docker-entrypoint: enabling the nautobot_meraki_users Jobs and creating the demo Dashboard connections"
# One start-up of nautobot-server for both steps.
nautobot-server shell -c "from nautobot.extras.models import Job
count = Job.objects.filter(module_name__startswith='nautobot_meraki_users').update(enabled=True)
print(f'docker-entrypoint: {count} job(s) enabled')
import runpy
runpy.run_path('/source/development/demo_dashboards.py', run_name='__main__')"

if [[ -n "${DJANGO_SUPERUSER_USERNAME:-}" ]]; then
    echo "docker-entrypoint: syncing the Meraki inventory"
    nautobot-server runjob --local --username "${DJANGO_SUPERUSER_USERNAME}" nautobot_meraki_users.jobs.SyncInventory \
        || echo "docker-entrypoint: the inventory sync failed; run 'Sync Meraki Inventory' from the Jobs UI"
    echo "docker-entrypoint: creating the demo access policy (with drift in it)"
    # Its grants name the organizations the sync brought in (development/demo_policy.py, as `dev.sh start` runs it).
    nautobot-server shell -c "import runpy
runpy.run_path('/source/development/demo_policy.py', run_name='__main__')" \
        || echo "docker-entrypoint: the demo access policy could not be made; run 'development/dev.sh demo-policy --docker'"
fi

if [[ $# -eq 0 ]]; then
    set -- nautobot-server runserver 0.0.0.0:8080 --insecure
fi
echo "docker-entrypoint: starting: $*"
exec "$@"
