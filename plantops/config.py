"""Settings, read from the environment (``PLANTOPS_*``) when bootstrap builds them."""

from __future__ import annotations

import os

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from plantops.bounds import POSTING_DAYS_AHEAD, POSTING_DAYS_BACK

DEFAULT_DATABASE_URL = "sqlite:///./plantops.db"


class Settings(BaseSettings):
    """Everything PlantOps reads from its environment.

    ``database_url`` comes from ``PLANTOPS_DATABASE_URL``; PostgreSQL URLs look like
    ``postgresql+psycopg://user@host:5432/dbname``.
    """

    model_config = SettingsConfigDict(env_prefix="PLANTOPS_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    echo_sql: bool = False
    #: The buying company's name, printed on the documents sent to suppliers.
    company_name: str = Field(default="PlantOps", max_length=200)
    #: How many days before and after now a stock posting may take effect.
    posting_days_back: int = Field(default=POSTING_DAYS_BACK, ge=0, le=36500)
    posting_days_ahead: int = Field(default=POSTING_DAYS_AHEAD, ge=0, le=3660)
    #: Whether a server process also runs queued jobs (an in-process worker); set it
    #: false where dedicated ``plantops worker`` processes run them.
    server_runs_jobs: bool = True
    #: Jobs one worker (or a server's in-process worker) runs at a time.
    worker_concurrency: int = Field(default=1, ge=1, le=64)
    #: A worker that has not reported for this many seconds is taken for dead, and its
    #: job is run again or marked failed.
    worker_stall_seconds: float = Field(default=60.0, ge=5.0, le=86400.0)
    #: How many times a job is started before a dead worker makes it fail for good.
    job_attempts: int = Field(default=2, ge=1, le=10)
    #: The key web sessions are signed with, shared by every server process (``serve
    #: --workers N`` sets one for its processes); empty: a new key at each start, which
    #: signs everyone out.
    session_secret: str = ""
    #: Whether engine work that splits into independent pieces (chunks of forecast series)
    #: runs on Dask (see ``plantops.fanout``); false runs it all in the calling process.
    fan_out: bool = True
    #: The Dask scheduler of an existing cluster (``tcp://host:8786``); empty: a local
    #: cluster of ``dask_workers`` processes, started on first use.
    dask_scheduler: str = ""
    #: Worker processes of the local cluster (one thread each); default: the cores.
    dask_workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1, le=1024)
