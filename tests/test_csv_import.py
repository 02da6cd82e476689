"""The Import Meraki Users CSV: reading and checking rows (pure), then the job against the fake Dashboard."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from job_helpers import MerakiJobTestCase
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import FileProxy

from nautobot_meraki_users.errors import InputError
from nautobot_meraki_users.operations.csv_import import IMPORT_COLUMNS, check_rows, read_rows
from nautobot_meraki_users.settings import settings_from_mapping

HEADER = ",".join(IMPORT_COLUMNS)
SETTINGS = settings_from_mapping({"allowed_organization_ids": ["100", "200", "300"]})
SAMPLE = Path(__file__).resolve().parent.parent / "docs" / "user" / "import-sample.csv"


def check(text, settings=SETTINGS):
    return check_rows(read_rows(text.encode() if isinstance(text, str) else text), settings)


def errors_of(text, settings=SETTINGS):
    with pytest.raises(InputError) as err:
        check(text, settings)
    return [str(e) for e in err.value.errors]


def test_good_rows_become_operations_with_their_lines():
    rows = check(
        f"{HEADER}\n"
        "create,jane@example.com,Jane,100,full,,,,\n"
        "\n"
        'update,joe@example.com,,"100,200",,,,east,full\n'
        "delete,old@example.com,,all,,,,,\n"
    )
    assert [(r.line, r.action, r.email) for r in rows] == [
        (2, "create", "jane@example.com"), (4, "update", "joe@example.com"), (5, "delete", "old@example.com"),
    ]  # fmt: skip
    assert rows[0].request.access.org_access == "full"
    assert rows[1].selector.ids == ("100", "200") and rows[1].request.access.tags == ("east",)
    assert rows[2].selector.all and rows[2].request is None


def test_header_may_hold_only_the_needed_columns_in_any_order():
    rows = check("user_email,meraki_org_id,action\nx@example.com,100,delete\n")
    assert rows[0].action == "delete"


def test_every_bad_row_is_reported_with_its_line_number():
    errors = errors_of(
        f"{HEADER}\n"
        "promote,a@example.com,A,100,,,,,\n"  # line 2: unknown action
        "create,not-an-email,B,100,,,,,\n"  # line 3: bad email
        "create,c@example.com,C,999,,,,,\n"  # line 4: organization outside the allow-list
        "create,d@example.com,D,100,owner,,,,\n"  # line 5: bad access value
        "create,e@example.com,E,100,,,,,\n"  # line 6: fine
        "delete,E@example.com,,100,,,,,\n"  # line 7: duplicated person and organization
        "create,f@example.com,,100,,,,,\n"  # line 8: create without a name
    )
    assert errors == [
        "line 2: action: 'promote' is not an action. Use one of: create, update, delete.",
        "line 3: user_email: 'not-an-email' is not a valid email address. Use the form name@example.com.",
        "line 4: meraki_org_id: organization 999 is not allowed for this app (allowed_organization_ids: 100, 200, "
        "300). Use an allowed organization, or ask a Nautobot administrator to add it to the allow-list.",
        "line 5: meraki_access_level: 'owner' is not a valid choice. Use one of: full, read-only, enterprise, none.",
        "line 7: user_email: E@example.com already appears for the same organization(s) on line 6 (duplicated row). "
        "Give each person one row per organization.",
        "line 8: user_name: is required. Give the admin's full name, e.g. Jane Doe.",
    ]


def test_all_overlaps_every_organization_of_the_same_person():
    errors = errors_of(
        f"{HEADER}\ndelete,a@example.com,,all,,,,,\ncreate,b@example.com,B,100,,,,,\nupdate,A@example.com,,200,full,,,,\n"
    )
    assert len(errors) == 1 and errors[0].startswith("line 4: user_email:") and "line 2" in errors[0]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "csv_file: is empty"),
        (b"   \n", "csv_file: is empty"),
        (HEADER.encode() + b"\n", "has a header but no rows"),
        (b"email,org\nx@example.com,1\n", "misses the column(s) action, user_email, meraki_org_id"),
        (f"{HEADER},role\n".encode(), "has unknown column(s) 'role'"),
        ("action,user_email,meraki_org_id\ndelete,jos\xe9@example.com,1\n".encode("latin-1"), "is not UTF-8 text"),
    ],
)
def test_bad_files(content, fragment):
    errors = errors_of(content)
    assert len(errors) == 1 and fragment in errors[0], errors


def test_utf8_with_bom_and_too_many_values():
    [row] = check("\ufeffaction,user_email,meraki_org_id\ndelete,x@example.com,1\n", settings_from_mapping({}))
    assert (row.line, row.email) == (2, "x@example.com")
    errors = errors_of("action,user_email,meraki_org_id\ndelete,x@example.com,1,2\n", settings_from_mapping({}))
    assert errors == ["line 2: csv_file: has more values than the header has columns. Quote values with commas."]


def test_the_documented_sample_file_is_valid():
    rows = check(SAMPLE.read_bytes(), settings_from_mapping({}))
    assert [r.action for r in rows] == ["create", "create", "update", "delete"]


SUCCESS = JobResultStatusChoices.STATUS_SUCCESS
FAILURE = JobResultStatusChoices.STATUS_FAILURE


class ImportUsersJobTest(MerakiJobTestCase):
    def run_import(self, text, dryrun=False):
        upload = FileProxy.objects.create(name="import.csv", file=SimpleUploadedFile("import.csv", text.encode()))
        return self.run_job("ImportUsers", csv_file=upload.pk, dryrun=dryrun)

    def result_csv(self, job_result):
        [proxy] = FileProxy.objects.filter(job_result=job_result)
        return proxy.file.read().decode()

    CSV = (
        f"{HEADER}\n"
        'create,jane@example.com,Jane,"100,200",read-only,HQ,full,,\n'
        "update,alice@example.com,,100,read-only,,,,\n"
        "delete,alice@example.com,,200,,,,,\n"
    )

    def test_applies_rows_and_attaches_a_result_csv(self):
        job_result, result, logs = self.run_import(self.CSV)
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(
            [(o["row"], o["organization_id"], o["outcome"]) for o in result["organizations"]],
            [(2, "100", "created"), (2, "200", "created"), (3, "100", "updated"), (4, "200", "absent")],
        )
        self.assertEqual(result["counts"], {"created": 2, "updated": 1, "absent": 1})
        lines = self.result_csv(job_result).splitlines()
        self.assertEqual(lines[0], "row,action,user_email,organization_id,organization_name,outcome,admin_id,message")
        self.assertTrue(lines[1].startswith("2,create,jane@example.com,100,Acme,created,"))
        [jane] = [a for a in self.fake.admins("200") if a["email"] == "jane@example.com"]
        self.assertEqual(jane["networks"], [{"id": "N_200_1", "access": "full"}])
        self.assertEqual(sum(1 for _, message in logs if message.startswith("line ")), 4)
        self.assert_no_spec_violations()

    def test_dry_run_shows_the_plan_and_sends_no_write(self):
        job_result, result, _ = self.run_import(self.CSV, dryrun=True)
        self.assertEqual(job_result.status, SUCCESS)
        self.assertEqual(result["counts"], {"created": 2, "updated": 1, "absent": 1})
        self.assertEqual(self.fake.writes, [])

    def test_any_bad_row_changes_nothing(self):
        bad = self.CSV + "create,x@example.com,X,100,,Nowhere,,,\n" + "create,y@example.com,Y,999,,,,,\n"
        job_result, result, _ = self.run_import(bad)
        self.assertEqual(job_result.status, FAILURE)
        self.assertEqual(result["errors"], [
            "line 6: meraki_org_id: organization 999 does not exist or this API key cannot see it. Check the ID, or "
            "use 'all' to work on every organization the key can see.",
        ])  # fmt: skip
        self.assertEqual(self.fake.writes, [])
        job_result, result, _ = self.run_import(self.CSV + "create,x@example.com,X,100,,Nowhere,,,\n")
        self.assertEqual(job_result.status, FAILURE)
        self.assertTrue(result["errors"][0].startswith("line 5: meraki_network: no network 'Nowhere'"))
        self.assertEqual(self.fake.writes, [])
