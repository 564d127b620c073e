"""The job record: claimed once, progress and cancellation, recovery after a dead worker; recurring
jobs submitted once per due time, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from plantops.bootstrap import PlantOps
from plantops.errors import NotFoundError, ValidationError
from plantops.services.access import add_user, job_schedules, jobs
from plantops.services.access.jobs import JobFinishedError
from plantops.vocabulary import JobStatus, Role


def _submit(ops: PlantOps, kind: str = "plan") -> str:
    return jobs.submit_job(ops.uow(), kind=kind, request={"weeks": 4}, submitted_by="alice", steps_total=3).number


def test_a_queued_job_is_claimed_by_one_worker_however_many_ask(ops: PlantOps) -> None:
    number = _submit(ops)
    claims: list[object] = []

    def claim(worker: str) -> None:
        claims.append(jobs.claim_job(ops.uow(), number, worker))

    threads = [threading.Thread(target=claim, args=(f"host:{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    won = [c for c in claims if c is not None]
    assert len(won) == 1
    job = jobs.get_job(ops.uow(), number)
    assert (job.status, job.attempts, job.worker) == (JobStatus.RUNNING, 1, won[0].worker)  # type: ignore[attr-defined]


def test_progress_is_kept_in_the_record_with_its_percentage(ops: PlantOps) -> None:
    number = _submit(ops)
    jobs.claim_job(ops.uow(), number, "host:1")

    go_on = jobs.report_progress(ops.uow(), number, "host:1", step="plan", steps_done=1, step_done=1, step_total=4)

    job = jobs.get_job(ops.uow(), number)
    assert go_on
    assert (job.step, job.steps_done, job.step_done, job.step_total) == ("plan", 1, 1, 4)
    assert job.percent == pytest.approx(100 * (1 + 0.25) / 3, abs=0.1)


def test_a_report_from_a_worker_that_no_longer_holds_the_job_says_stop(ops: PlantOps) -> None:
    number = _submit(ops)
    jobs.claim_job(ops.uow(), number, "host:1")

    assert not jobs.report_progress(ops.uow(), number, "host:2", step="plan", steps_done=1)
    assert jobs.get_job(ops.uow(), number).step == ""


def test_cancelling_a_queued_job_ends_it_before_any_worker_takes_it(ops: PlantOps) -> None:
    number = _submit(ops)

    cancelled = jobs.cancel_job(ops.uow(), number)

    assert cancelled.status is JobStatus.CANCELLED
    assert jobs.claim_job(ops.uow(), number, "host:1") is None


def test_cancelling_a_running_job_asks_its_run_to_stop_at_its_next_report(ops: PlantOps) -> None:
    number = _submit(ops)
    jobs.claim_job(ops.uow(), number, "host:1")

    asked = jobs.cancel_job(ops.uow(), number)

    assert (asked.status, asked.cancel_requested) == (JobStatus.RUNNING, True)
    assert not jobs.report_progress(ops.uow(), number, "host:1", step="write", steps_done=2)


def test_a_finished_job_cannot_be_cancelled(ops: PlantOps) -> None:
    number = _submit(ops)
    jobs.claim_job(ops.uow(), number, "host:1")
    jobs.finish_job(ops.uow(), number, {"number": "PLAN-000001"}, steps=["read", "plan", "write"])

    with pytest.raises(JobFinishedError, match="already succeeded"):
        jobs.cancel_job(ops.uow(), number)
    with pytest.raises(NotFoundError):
        jobs.cancel_job(ops.uow(), "JOB-999999")


def test_a_job_whose_worker_died_is_queued_again_then_failed_once_its_attempts_are_spent(ops: PlantOps) -> None:
    number = _submit(ops)
    jobs.claim_job(ops.uow(), number, "host:1")

    first = jobs.recover_job(ops.uow(), number, "host:1", "its worker host:1 stopped", attempts=2)
    assert first is JobStatus.QUEUED
    assert jobs.claim_job(ops.uow(), number, "host:2") is not None
    assert jobs.recover_job(ops.uow(), number, "host:1", "stale", attempts=2) is None  # host:2 has it now
    second = jobs.recover_job(ops.uow(), number, None, "its worker host:2 stopped", attempts=2)

    job = jobs.get_job(ops.uow(), number)
    assert second is JobStatus.FAILED
    assert (job.status, job.attempts) == (JobStatus.FAILED, 2)
    assert "host:2 stopped" in (job.error or "") and "started 2 times" in (job.error or "")


def _user(ops: PlantOps, name: str = "planner") -> str:
    add_user(ops.uow(), name, roles=[Role.PLANNER])
    return name


def test_a_recurring_job_is_due_at_the_next_time_of_its_cron_in_its_zone(ops: PlantOps) -> None:
    user = _user(ops)

    view = job_schedules.declare_schedule(
        ops.uow(),
        name="nightly-plan",
        kind="plan",
        request={"weeks": 26},
        cron="0 2 * * *",
        timezone="Europe/Berlin",
        run_as=user,
        declared_by=user,
    )

    local = view.next_run_at.astimezone(dt.timezone(dt.timedelta(hours=1)))  # Berlin in December
    assert (local.hour, local.minute) == (2, 0)
    assert dt.datetime.now(dt.UTC) < view.next_run_at <= dt.datetime.now(dt.UTC) + dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("field", "values", "reason"),
    [
        ("cron", {"cron": "0 2 * *"}, "five fields"),
        ("cron", {"cron": "61 2 * * *"}, "five fields"),
        ("timezone", {"timezone": "Mars/Olympus"}, "not a known time zone"),
        ("run_as", {"run_as": "nobody"}, "no user"),
        ("name", {"name": "two words"}, "without spaces"),
    ],
)
def test_a_recurring_job_that_could_not_run_is_refused_naming_its_field(
    ops: PlantOps, field: str, values: dict[str, str], reason: str
) -> None:
    user = _user(ops)
    given = {"name": "nightly", "cron": "0 2 * * *", "timezone": "UTC", "run_as": user} | values

    with pytest.raises(ValidationError, match=reason) as refused:
        job_schedules.declare_schedule(ops.uow(), kind="plan", request={}, declared_by=user, **given)

    assert refused.value.field == field
    assert job_schedules.list_schedules(ops.uow()) == []


def test_a_due_schedule_submits_its_job_once_however_many_processes_look(ops: PlantOps) -> None:
    user = _user(ops)
    job_schedules.declare_schedule(
        ops.uow(),
        name="weekly",
        kind="forecast",
        request={},
        cron="0 6 * * 1",
        timezone="UTC",
        run_as=user,
        declared_by=user,
    )
    due_at = job_schedules.get_schedule(ops.uow(), "weekly").next_run_at
    submitted: list[job_schedules.DueJob] = []

    def look() -> None:
        submitted.extend(job_schedules.submit_due(ops.uow(), {"forecast": 3}, now=due_at + dt.timedelta(seconds=5)))

    threads = [threading.Thread(target=look) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(submitted) == 1
    job = jobs.get_job(ops.uow(), submitted[0].number)
    schedule = job_schedules.get_schedule(ops.uow(), "weekly")
    assert (job.kind, job.status, job.schedule, job.submitted_by) == ("forecast", JobStatus.QUEUED, "weekly", user)
    assert schedule.last_job == job.number
    assert schedule.next_run_at == due_at + dt.timedelta(weeks=1)


def test_a_schedule_missed_several_times_runs_once_and_is_next_due_in_the_future(ops: PlantOps) -> None:
    user = _user(ops)
    job_schedules.declare_schedule(
        ops.uow(),
        name="hourly",
        kind="plan",
        request={},
        cron="0 * * * *",
        timezone="UTC",
        run_as=user,
        declared_by=user,
    )
    due_at = job_schedules.get_schedule(ops.uow(), "hourly").next_run_at
    later = due_at + dt.timedelta(hours=5, minutes=30)

    assert len(job_schedules.submit_due(ops.uow(), {"plan": 3}, now=later)) == 1
    assert job_schedules.submit_due(ops.uow(), {"plan": 3}, now=later) == []
    assert job_schedules.get_schedule(ops.uow(), "hourly").next_run_at == due_at + dt.timedelta(hours=6)


def test_a_schedule_of_a_kind_no_longer_known_is_left_due(ops: PlantOps) -> None:
    user = _user(ops)
    job_schedules.declare_schedule(
        ops.uow(),
        name="old",
        kind="retired",
        request={},
        cron="0 * * * *",
        timezone="UTC",
        run_as=user,
        declared_by=user,
    )
    due_at = job_schedules.get_schedule(ops.uow(), "old").next_run_at

    assert job_schedules.submit_due(ops.uow(), {"plan": 3}, now=due_at) == []
    assert job_schedules.get_schedule(ops.uow(), "old").next_run_at == due_at
