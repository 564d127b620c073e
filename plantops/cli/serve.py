"""``plantops serve``: the HTTP API (and the web app, where it is installed) under uvicorn."""

from __future__ import annotations

import importlib
import importlib.util
import os
import secrets
from typing import Annotated

import typer
import uvicorn
from fastapi import FastAPI, HTTPException

from plantops.api.app import create_app
from plantops.bootstrap import PlantOps, build
from plantops.cli.common import console, plantops, reports_errors

WEB_APP = "plantops.web.app"
HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]

app = typer.Typer()


def compose(ops: PlantOps) -> FastAPI:
    """The API under ``/api``, and the web app at ``/`` when it is present.

    The two apps know nothing of each other; they meet only here, where the web app is given
    the API's job queue (one per process) and the session key of the settings, if any.
    """
    app = create_app(ops)
    if importlib.util.find_spec(WEB_APP) is not None:
        web = importlib.import_module(WEB_APP)

        @app.api_route("/api/{rest:path}", methods=HTTP_METHODS, include_in_schema=False)
        def no_such_endpoint(rest: str) -> None:
            """What the API matches no endpoint for stays the API's: problem+json, not a web page."""
            raise HTTPException(404, f"no endpoint /api/{rest} for this method")

        secret = ops.settings.session_secret.encode() if ops.settings.session_secret else None
        app.mount("/", web.create_web_app(ops, secret=secret, job_queue=app.state.jobs))
    return app


def app_from_environment() -> FastAPI:
    """The composed app of one of ``serve --workers N``'s processes, on the settings of the environment."""
    return compose(build())


@app.command()
@reports_errors
def serve(
    host: Annotated[str, typer.Option(help="The address to listen on (0.0.0.0: every interface).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="The port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Server processes behind the port.")] = 1,
) -> None:
    """Serve the HTTP API (docs at /api/docs) and the web app until interrupted.

    With ``--workers N``, N processes share the port; they share the web sessions' key
    (a new one unless ``PLANTOPS_SESSION_SECRET`` is set) and see the same jobs."""
    with plantops() as ops:
        console.print(f"PlantOps on http://{host}:{port}/ (API documentation: http://{host}:{port}/api/docs)")
        if workers == 1:
            uvicorn.run(compose(ops), host=host, port=port, log_level="info")
            return
    os.environ.setdefault("PLANTOPS_SESSION_SECRET", secrets.token_hex(32))
    uvicorn.run(
        f"{__name__}:app_from_environment", factory=True, workers=workers, host=host, port=port, log_level="info"
    )
