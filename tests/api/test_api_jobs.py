"""Jobs over HTTP: follow one, cancel it (as a role its kind allows), and declare recurring jobs."""

from __future__ import annotations

from plantops.services.access import jobs
from plantops.vocabulary import Role
from tests.api.conftest import Api, problem


def _queued(api: Api, kind: str = "plan") -> str:
    """A job that stays queued: the server's worker is stopped (as if every worker were busy)."""
    api.client.app.state.jobs.stop()  # type: ignore[attr-defined]
    return jobs.submit_job(api.ops.uow(), kind=kind, request={"weeks": 8}, submitted_by="planner", steps_total=3).number


def test_a_queued_job_is_cancelled_by_a_role_its_kind_allows_and_not_by_others(api: Api) -> None:
    number = _queued(api)

    refused = problem(api.post(f"/api/v1/jobs/{number}/cancel", role=Role.VIEWER))
    cancelled = api.post(f"/api/v1/jobs/{number}/cancel", role=Role.PLANNER)
    again = problem(api.post(f"/api/v1/jobs/{number}/cancel", role=Role.PLANNER))

    assert refused["status"] == 403 and "plan" in refused["detail"]
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert again["status"] == 409 and "already been cancelled" in again["detail"]
    assert problem(api.post("/api/v1/jobs/JOB-999999/cancel", role=Role.PLANNER))["status"] == 404


def test_jobs_list_by_status_and_show_their_progress_as_a_percentage(plant: Api) -> None:
    started = plant.post("/api/v1/plan/runs", json={"start": "2026-11-23", "weeks": 8}, role=Role.PLANNER)
    done = plant.wait_for_job(started.headers["Location"])
    cancelled = _queued(plant)
    plant.post(f"/api/v1/jobs/{cancelled}/cancel", role=Role.PLANNER)

    listed = plant.get("/api/v1/jobs?status=succeeded").json()

    assert (done["status"], done["percent"], done["attempts"]) == ("succeeded", 100.0, 1)
    assert [j["number"] for j in listed["items"]] == [done["number"]]
    assert plant.get("/api/v1/jobs?status=cancelled").json()["items"][0]["number"] == cancelled


def test_a_recurring_job_is_declared_listed_and_removed_and_runs_as_who_declared_it(api: Api) -> None:
    declared = api.put(
        "/api/v1/jobs/schedules/nightly-plan",
        json={"kind": "plan", "cron": "30 1 * * 1-5", "timezone": "Europe/Berlin", "request": {"weeks": 26}},
        role=Role.PLANNER,
    )
    listed = api.get("/api/v1/jobs/schedules").json()
    removed = api.delete("/api/v1/jobs/schedules/nightly-plan", role=Role.PLANNER)

    assert declared.status_code == 200, declared.text
    assert (declared.json()["run_as"], declared.json()["request"]) == ("planner", {"weeks": 26})
    assert [s["name"] for s in listed["items"]] == ["nightly-plan"]
    assert removed.status_code == 204
    assert api.get("/api/v1/jobs/schedules").json()["items"] == []


def test_a_recurring_job_that_could_not_run_is_refused_naming_the_field(api: Api) -> None:
    def declare(role: Role = Role.PLANNER, **body: object) -> dict[str, object]:
        given = {"kind": "plan", "cron": "0 2 * * *"} | body
        return problem(api.put("/api/v1/jobs/schedules/nightly", json=given, role=role))

    assert "weeks" in str(declare(request={"weeks": 0})["detail"])
    assert "wekks" in str(declare(request={"wekks": 3})["detail"])
    assert "cron" in str(declare(cron="0 2 * *")["detail"])
    assert "timezone" in str(declare(timezone="Mars/Olympus")["detail"])
    assert "unknown kind" in str(declare(kind="plon")["detail"])
    assert declare(Role.OPERATOR)["status"] == 403
    assert api.get("/api/v1/jobs/schedules").json()["items"] == []
