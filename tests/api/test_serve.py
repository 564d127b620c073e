"""``plantops serve`` composes the API and the web app, which know nothing of each other."""

from __future__ import annotations

import importlib.util
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from plantops.bootstrap import build
from plantops.cli.serve import WEB_APP, compose
from plantops.config import Settings
from plantops.services import access
from plantops.vocabulary import Role
from tests.api.conftest import Api


def _read_lines(process: subprocess.Popen[bytes], lines: list[str]) -> None:
    """Keep each line ``process`` writes to stderr as it comes."""
    assert process.stderr is not None
    for line in iter(process.stderr.readline, b""):
        lines.append(line.decode(errors="replace"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_api_answers_under_api_v1_and_documents_itself(api: Api) -> None:
    client = TestClient(compose(api.ops))

    schema = client.get("/api/v1/openapi.json")
    docs = client.get("/api/docs")

    assert schema.status_code == 200 and schema.json()["openapi"].startswith("3.")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    assert client.get("/api/v1/items", headers=api.headers()).status_code == 200


@pytest.mark.skipif(importlib.util.find_spec(WEB_APP) is None, reason="the web app is not installed")
def test_the_web_app_is_served_at_the_root_beside_the_api(api: Api) -> None:
    client = TestClient(compose(api.ops), follow_redirects=False)

    page = client.get("/")

    assert page.status_code in (200, 303, 307), page.text
    assert "application/problem+json" not in page.headers.get("content-type", "")
    assert client.get("/api/v1/items").status_code == 401  # the API's own rules still hold


@pytest.mark.skipif(importlib.util.find_spec(WEB_APP) is None, reason="the web app is not installed")
def test_an_unknown_api_path_is_a_problem_of_the_api_not_a_web_page(api: Api) -> None:
    client = TestClient(compose(api.ops), follow_redirects=False)

    unknown = client.get("/api/v1/no-such-thing", headers=api.headers())
    wrong_method = client.delete("/api/v1/items", headers=api.headers())

    for response in (unknown, wrong_method):
        assert response.status_code in (404, 405)
        assert response.headers["content-type"].startswith("application/problem+json"), response.text


@pytest.mark.skipif(importlib.util.find_spec(WEB_APP) is None, reason="the web app is not installed")
def test_serve_with_two_workers_shares_one_port_and_the_web_sessions(tmp_path: Path) -> None:
    """Both processes answer (their process numbers differ) and a session signed in on one is
    valid on the other: they share the session key."""
    url = f"sqlite:///{tmp_path / 'plantops.db'}"
    ops = build(Settings(database_url=url))
    ops.migrate()
    access.add_user(ops.uow(), "ann", roles=[Role.VIEWER], password="ann-password-1")
    ops.close()
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "plantops"), "serve", "--port", str(port), "--workers", "2"],
        env={**os.environ, "PLANTOPS_DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    lines: list[str] = []
    reader = threading.Thread(target=_read_lines, args=(server, lines), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 180
        while sum("Application startup complete" in line for line in lines) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", follow_redirects=False) as client:
            signed_in = client.post("/login", data={"username": "ann", "password": "ann-password-1", "next": "/"})
            answers = [client.get("/settings") for _ in range(40)]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
        reader.join(10)
    log = "".join(lines)

    assert signed_in.status_code == 303, log
    assert {a.status_code for a in answers} == {200}, log
    assert len(set(re.findall(r"Started server process \[(\d+)\]", log))) == 2
