"""The benchmark's own arithmetic: scenario names and the split of a job's time by its log entries."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import bench_jobs
import benchmark
import pytest

START = datetime(2026, 1, 1, tzinfo=UTC)


def at(seconds: float) -> float:
    return (START + timedelta(seconds=seconds)).timestamp()


def test_scenario_names_carry_their_organizations_and_parallel_jobs():
    assert benchmark.parse_scenario("offboard", 200) == benchmark.Scenario("offboard", "offboard", 1, 200)
    assert benchmark.parse_scenario("offboard-1000", 200) == benchmark.Scenario("offboard-1000", "offboard", 1, 1000)
    assert benchmark.parse_scenario("offboard x2", 20).parallel == 2
    with pytest.raises(SystemExit, match="--scenarios: 'purge' is not a scenario"):
        benchmark.parse_scenario("purge", 200)


def test_timeline_parts_add_up_to_the_job_time():
    job_result = SimpleNamespace(date_started=START, date_done=START + timedelta(seconds=10.4))
    entries = [
        (at(0.01), "initialization", "Running job"),
        (at(5.4), "700000", "removed"),
        (at(7.9), "700199", "removed"),
        (at(9.8), "finish", "Done"),
        (at(10.3), "post_run", "Job completed"),
    ]
    figures = bench_jobs.timeline(job_result, entries)
    assert figures["result_lines"] == 2
    assert figures["to_first_result"] == pytest.approx(5.4)
    assert figures["result_lines_span"] == pytest.approx(2.5)
    assert figures["after_results"] == pytest.approx(1.9)
    assert figures["finish"] == pytest.approx(0.6)
