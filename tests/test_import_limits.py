"""Import Meraki Users refuses too many rows and too long values, clearly and before any request to Meraki."""

import csv

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from job_helpers import MerakiJobTestCase
from nautobot.extras.choices import JobResultStatusChoices
from nautobot.extras.models import FileProxy

from nautobot_meraki_users.errors import ConfigurationError, InputError
from nautobot_meraki_users.operations.csv_import import read_rows
from nautobot_meraki_users.settings import settings_from_mapping

HEADER = "action,user_email,user_name,meraki_org_id"
FAILURE = JobResultStatusChoices.STATUS_FAILURE


def rows_text(count: int, name: str = "Person") -> str:
    return HEADER + "\n" + "".join(f"create,p{n}@example.com,{name},100\n" for n in range(count))


def error_of(text: str, **limits) -> str:
    with pytest.raises(InputError) as err:
        read_rows(text.encode(), **limits)
    [error] = err.value.errors
    return str(error)


def test_default_limits():
    settings = settings_from_mapping({})
    assert (settings.import_max_rows, settings.import_max_field_size) == (10000, 65536)
    settings = settings_from_mapping({"import_max_rows": "50", "import_max_field_size": 200})
    assert (settings.import_max_rows, settings.import_max_field_size) == (50, 200)


@pytest.mark.parametrize("key", ["import_max_rows", "import_max_field_size"])
@pytest.mark.parametrize("value", [0, "many", -5])
def test_bad_limit_settings_name_the_key(key, value):
    with pytest.raises(ConfigurationError, match=f"^{key}: .* at least 1"):
        settings_from_mapping({key: value})


def test_rows_up_to_the_limit_are_read_and_one_more_is_refused():
    assert len(read_rows(rows_text(3).encode(), max_rows=3)) == 3
    message = error_of(rows_text(4), max_rows=3)
    assert message.startswith("csv_file: has more than 3 rows")
    assert "import_max_rows" in message and "Split the file" in message


def test_a_value_longer_than_the_limit_is_refused_with_its_line():
    assert read_rows(rows_text(1, "x" * 20).encode(), max_field_size=20)
    message = error_of(rows_text(2, "x" * 21), max_field_size=20)
    assert message.startswith("csv_file: line 2 has a value longer than 20 characters")
    assert "import_max_field_size" in message


def test_a_value_beyond_pythons_csv_limit_is_an_input_error_not_a_traceback():
    huge = "x" * (csv.field_size_limit() + 1)
    message = error_of(rows_text(1, huge), max_field_size=10 * csv.field_size_limit())
    assert message.startswith(f"csv_file: line 2 has a value longer than {csv.field_size_limit()} characters")
    assert csv.field_size_limit() == 131072  # the process-wide limit was not touched


class ImportLimitsJobTest(MerakiJobTestCase):
    def run_import(self, text):
        upload = FileProxy.objects.create(name="import.csv", file=SimpleUploadedFile("import.csv", text.encode()))
        return self.run_job("ImportUsers", csv_file=upload.pk, dryrun=True)

    def assert_refused(self, text, fragment):
        job_result, result, _ = self.run_import(text)
        self.assertEqual(job_result.status, FAILURE)
        [error] = result["errors"]
        self.assertTrue(error.startswith("csv_file: "), error)
        self.assertIn(fragment, error)
        self.assertEqual(self.fake.requests, [])  # not even the organization list was read
        self.assertFalse(job_result.traceback)
        return error

    def test_too_many_rows_are_refused_before_any_request(self):
        self.set_config(import_max_rows=5)
        error = self.assert_refused(rows_text(6), "has more than 5 rows")
        self.assertIn("import_max_rows", error)

    def test_a_too_long_value_is_refused_before_any_request(self):
        self.set_config(import_max_field_size=100)
        error = self.assert_refused(rows_text(2, "y" * 101), "line 2 has a value longer than 100 characters")
        self.assertIn("import_max_field_size", error)

    def test_a_5_mb_value_is_refused_with_the_default_settings(self):
        self.assert_refused(rows_text(1, "z" * 5_000_000), "line 2 has a value longer than 65536 characters")


def test_a_huge_unknown_column_name_is_not_echoed_whole():
    message = error_of("action,user_email,meraki_org_id," + "h" * 50_000 + "\ndelete,x@example.com,1,\n")
    assert "has unknown column(s) 'hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh...'" in message and len(message) < 600
