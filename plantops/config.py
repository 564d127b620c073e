"""Settings, read from the environment (``PLANTOPS_*``) when bootstrap builds them."""

from __future__ import annotations

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
    #: How many days before and after now a stock posting may take effect.
    posting_days_back: int = Field(default=POSTING_DAYS_BACK, ge=0, le=36500)
    posting_days_ahead: int = Field(default=POSTING_DAYS_AHEAD, ge=0, le=3660)
