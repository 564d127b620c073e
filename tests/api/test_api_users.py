"""Signing in and out, who I am, users, roles, tokens and API keys over HTTP."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from plantops.db.access import SignInFailure
from plantops.services import access
from plantops.services.access import throttle
from plantops.vocabulary import Role
from tests.api.conftest import Api, problem

PASSWORD = "correct horse battery"


def test_sign_in_gives_a_token_that_works_until_signing_out(api: Api) -> None:
    access.add_user(api.ops.uow(), "dana", roles=[Role.PLANNER], password=PASSWORD)

    signed_in = api.client.post("/api/v1/auth/token", data={"username": "dana", "password": PASSWORD, "days": 1})
    token = signed_in.json()["access_token"]
    me = api.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
    signed_out = api.client.delete("/api/v1/auth/token", headers={"Authorization": f"Bearer {token}"})
    after = api.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})

    assert signed_in.status_code == 200 and signed_in.json()["token_type"] == "bearer"
    assert me.json() == {
        "username": "dana",
        "roles": ["planner"],
        "permissions": [
            "read",
            "take_orders",
            "plan",
            "release_orders",
            "schedule",
            "report_disruption",
            "forecast",
            "policy",
            "manage_master_data",
        ],
    }
    assert signed_out.status_code == 204
    assert problem(after)["status"] == 401 and "revoked" in problem(after)["detail"]


def test_a_wrong_password_or_no_credentials_is_401(api: Api) -> None:
    access.add_user(api.ops.uow(), "dana", roles=[Role.PLANNER], password=PASSWORD)

    wrong = api.client.post("/api/v1/auth/token", data={"username": "dana", "password": "nope"})
    anonymous = api.client.get("/api/v1/items")
    garbage = api.client.get("/api/v1/items", headers={"Authorization": "Bearer nonsense"})

    assert problem(wrong)["status"] == 401 and problem(wrong)["detail"] == "unknown user or wrong password"
    assert problem(anonymous)["status"] == 401 and anonymous.headers["www-authenticate"].startswith("Bearer")
    assert problem(garbage)["status"] == 401


def test_an_api_key_signs_a_machine_in(api: Api) -> None:
    added = api.post("/api/v1/users", json={"username": "scanner-7", "roles": ["operator"]})
    key = api.post("/api/v1/users/scanner-7/api-keys", json={"name": "goods in"}).json()["access_token"]

    me = api.client.get("/api/v1/auth/me", headers={"X-API-Key": key})
    as_token = api.client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"})

    assert added.status_code == 201 and added.json()["has_password"] is False
    assert me.json()["username"] == "scanner-7" and me.json()["roles"] == ["operator"]
    assert problem(as_token)["status"] == 401


def test_an_admin_manages_users_and_roles(api: Api) -> None:
    added = api.post("/api/v1/users", json={"username": "erin", "roles": ["viewer"], "password": PASSWORD})
    duplicate = api.post("/api/v1/users", json={"username": "erin", "roles": ["viewer"], "password": PASSWORD})
    roles = api.put("/api/v1/users/erin/roles", json={"roles": ["buyer", "quality"]})
    deactivated = api.put("/api/v1/users/erin/active", json={"active": False})
    token = api.post("/api/v1/users/erin/tokens", json={"days": 3}).json()["access_token"]
    listed = api.get("/api/v1/users?sort=-username&limit=3").json()

    assert added.status_code == 201 and added.headers["location"] == "/api/v1/users/erin"
    assert problem(duplicate)["status"] == 422 and problem(duplicate)["errors"][0]["field"] == "username"
    assert roles.json()["roles"] == ["buyer", "quality"]
    assert deactivated.json()["active"] is False
    assert problem(api.client.get("/api/v1/items", headers={"Authorization": f"Bearer {token}"}))["status"] == 401
    assert listed["total"] == 9 and [u["username"] for u in listed["items"]] == ["viewer", "quality", "production"]


def test_bad_user_input_is_422_naming_the_field(api: Api) -> None:
    short = problem(api.post("/api/v1/users", json={"username": "fred", "roles": ["viewer"], "password": "short"}))
    no_role = problem(api.post("/api/v1/users", json={"username": "fred", "roles": []}))
    bad_role = problem(api.post("/api/v1/users", json={"username": "fred", "roles": ["wizard"]}))
    missing = problem(api.put("/api/v1/users/nobody/roles", json={"roles": ["viewer"]}))

    assert short["errors"][0]["field"] == "password"
    assert no_role["errors"][0]["field"] == "roles"
    assert bad_role["errors"][0]["field"].startswith("roles")
    assert missing["status"] == 404


def test_only_admins_manage_users(api: Api) -> None:
    refused = problem(api.post("/api/v1/users", json={"username": "x", "roles": ["admin"]}, role=Role.PLANNER))

    assert refused["status"] == 403 and "manage_users" in refused["detail"]


def test_failed_sign_ins_are_throttled_per_user_then_allowed_again_after_the_window(api: Api, caplog: Any) -> None:
    access.add_user(api.ops.uow(), "dana", roles=[Role.PLANNER], password=PASSWORD)
    form = {"username": "dana", "password": "guess"}

    with caplog.at_level(logging.WARNING, logger="plantops.sign_in"):
        wrong = [
            api.client.post("/api/v1/auth/token", data=form).status_code for _ in range(throttle.MAX_FAILURES_PER_USER)
        ]
    right = api.client.post("/api/v1/auth/token", data={**form, "password": PASSWORD})

    assert wrong == [401] * throttle.MAX_FAILURES_PER_USER
    assert problem(right)["status"] == 429 and "too many refused sign-ins for this user" in problem(right)["detail"]
    assert 0 < int(right.headers["retry-after"]) <= throttle.WINDOW.total_seconds() + 1
    assert sum("refused sign-in of 'dana'" in r.getMessage() for r in caplog.records) == throttle.MAX_FAILURES_PER_USER
    with api.ops.uow() as uow:  # the window passes
        for failure in uow.session.scalars(select(SignInFailure)):
            failure.failed_at -= throttle.WINDOW
        uow.commit()
    assert api.client.post("/api/v1/auth/token", data={**form, "password": PASSWORD}).status_code == 200


def test_failed_sign_ins_from_one_address_throttle_every_name_from_it(api: Api) -> None:
    access.add_user(api.ops.uow(), "dana", roles=[Role.PLANNER], password=PASSWORD)
    for attempt in range(throttle.MAX_FAILURES_PER_ADDRESS):
        api.client.post("/api/v1/auth/token", data={"username": f"nobody-{attempt}", "password": "guess"})

    refused = api.client.post("/api/v1/auth/token", data={"username": "dana", "password": PASSWORD})

    assert problem(refused)["status"] == 429 and "from this address" in problem(refused)["detail"]
