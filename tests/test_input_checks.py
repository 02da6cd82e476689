"""Every input has a type and a size before any write; the email policy governs who may be added, not who is fixed.

Pure checks first (no database), then job runs with raw data as `runjob --data` hands it to run().
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from job_helpers import MerakiJobTestCase
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import FileProxy

from nautobot_meraki_users.errors import InputError
from nautobot_meraki_users.operations import csv_import, inputs
from nautobot_meraki_users.settings import AppSettings

POLICY = AppSettings(email_regex=r".*@corp\.example")
JANE = {"user_email": "jane@example.com", "user_name": "Jane Doe", "meraki_org_id": "100"}
FAILURE = JobResultStatusChoices.STATUS_FAILURE
SUCCESS = JobResultStatusChoices.STATUS_SUCCESS


def errors_of(parse, data, app_settings=AppSettings()) -> list[str]:
    with pytest.raises(InputError) as err:
        parse(data, app_settings)
    return [str(error) for error in err.value.errors]


# ----- item 9: the email policy -----


def test_update_and_delete_reach_an_admin_outside_the_email_policy():
    _, request = inputs.parse_update({"user_email": "old@legacy.example", "meraki_org_id": "100"}, POLICY)
    assert request.email == "old@legacy.example"
    assert inputs.parse_delete({"user_email": "old@legacy.example", "meraki_org_id": "100"}, POLICY)[1]


def test_create_still_enforces_the_email_policy():
    [error] = errors_of(inputs.parse_create, {**JANE, "user_email": "old@legacy.example"}, POLICY)
    assert error.startswith("user_email: ") and "email policy" in error


def test_import_enforces_the_policy_on_create_rows_only():
    text = (
        "action,user_email,user_name,meraki_org_id\nupdate,old@legacy.example,,100\ncreate,new@legacy.example,New,100\n"
    )
    with pytest.raises(InputError) as err:
        csv_import.check_rows(csv_import.read_rows(text.encode()), POLICY)
    assert [e.field for e in err.value.errors] == ["line 3: user_email"]


# ----- item 12: sizes -----


def test_name_and_email_lengths_are_limited_with_the_limit_named():
    assert inputs.parse_create({**JANE, "user_name": "x" * 255}, AppSettings())
    [error] = errors_of(inputs.parse_create, {**JANE, "user_name": "x" * 10_000})
    assert error.startswith("user_name: ") and "255" in error
    [error] = errors_of(inputs.parse_update, {**JANE, "user_name": "x" * 256})
    assert error.startswith("user_name: ") and "255" in error
    long_email = "a" * 64 + "@" + ".".join(["b" * 63] * 3) + ".example"  # 264 characters, valid labels
    for parse in (inputs.parse_create, inputs.parse_update, inputs.parse_delete):
        [error] = errors_of(parse, {**JANE, "user_email": long_email})
        assert error.startswith("user_email: ") and "254" in error


# ----- item 12: types -----


@pytest.mark.parametrize(
    ("field", "value"),
    [("user_name", ["x", "y"]), ("meraki_org_id", [1, 2]), ("user_email", 5), ("meraki_org_id", 100), ("user_name", 7)],
)
def test_a_list_or_a_number_where_text_belongs_is_a_field_error(field, value):
    [error] = errors_of(inputs.parse_create, {**JANE, field: value})
    assert error.startswith(f"{field}: must be text")
    assert "JSON string" in error


def test_wrong_types_are_refused_by_every_parser():
    assert errors_of(inputs.parse_update, {**JANE, "user_email": ["a@example.com"]})[0].startswith("user_email: ")
    assert errors_of(inputs.parse_delete, {**JANE, "meraki_org_id": {"id": 1}})[0].startswith("meraki_org_id: ")
    assert errors_of(inputs.parse_list, {"user_email": 5})[0].startswith("user_email: ")


def test_picker_lists_of_text_still_work():
    selector, request = inputs.parse_create(
        {**JANE, "meraki_org_id": ["100", "200"], "meraki_network": ["HQ"]}, AppSettings()
    )
    assert selector.ids == ("100", "200")
    assert request.access.networks == ("HQ",)


# ----- item 12: one rule for international emails -----


@pytest.mark.parametrize("email", ["jörg@example.com", "jane@bücher.example", "用户@例子.广告"])
def test_non_ascii_emails_are_refused_with_the_punycode_hint(email):
    for parse in (inputs.parse_create, inputs.parse_update, inputs.parse_delete):
        [error] = errors_of(parse, {**JANE, "user_email": email})
        assert error.startswith("user_email: ") and "ASCII" in error and "punycode" in error


def test_punycode_domain_is_accepted():
    assert inputs.parse_create({**JANE, "user_email": "jane@xn--bcher-kva.example"}, AppSettings())


# ----- the same through job runs (runjob --data hands raw JSON to run()) -----


class RawDataJobTest(MerakiJobTestCase):
    def test_update_of_an_existing_admin_outside_the_policy_succeeds(self):
        self.set_config(email_regex=r".*@corp\.example")
        job_result, result, _ = self.run_job(
            "UpdateUsers", user_email="alice@example.com", meraki_org_id="100", user_name="Alice Smith", dryrun=False
        )
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(result["counts"], {"updated": 1})
        [alice] = [a for a in self.fake.admins("100") if a["email"] == "alice@example.com"]
        self.assertEqual(alice["name"], "Alice Smith")

    def test_import_update_row_outside_the_policy_succeeds(self):
        self.set_config(email_regex=r".*@corp\.example")
        csv_file = SimpleUploadedFile(
            "rows.csv", b"action,user_email,user_name,meraki_org_id\nupdate,alice@example.com,Al,100\n"
        )
        upload = FileProxy.objects.create(name="rows.csv", file=csv_file)
        job_result, result, _ = self.run_job("ImportUsers", csv_file=upload.pk, dryrun=False)
        self.assertEqual(job_result.status, SUCCESS, result)
        self.assertEqual(result["counts"], {"updated": 1})

    def test_a_too_long_name_fails_before_any_write(self):
        job_result, result, _ = self.run_job("CreateUsers", **{**JANE, "user_name": "x" * 10_000}, dryrun=False)
        self.assertEqual(job_result.status, FAILURE)
        self.assertEqual(len(result["errors"]), 1)
        self.assertTrue(result["errors"][0].startswith("user_name: is 10000 characters long; the limit is 255"))
        self.assertEqual(self.fake.writes, [])

    def test_wrong_types_fail_before_any_write(self):
        for field, value in (("user_name", ["x", "y"]), ("meraki_org_id", [1, 2]), ("user_email", 5)):
            with self.subTest(field=field):
                job_result, result, _ = self.run_job("CreateUsers", **{**JANE, field: value}, dryrun=False)
                self.assertEqual(job_result.status, FAILURE)
                self.assertEqual([e.split(":")[0] for e in result["errors"]], [field])
                self.assertIn("must be text", result["errors"][0])
                self.assertEqual(self.fake.writes, [])
