"""Settings, read from the environment (``PLANTOPS_*``) when bootstrap builds them."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///./plantops.db"


class Settings(BaseSettings):
    """Everything PlantOps reads from its environment.

    ``database_url`` comes from ``PLANTOPS_DATABASE_URL``; PostgreSQL URLs look like
    ``postgresql+psycopg://user@host:5432/dbname``.
    """

    model_config = SettingsConfigDict(env_prefix="PLANTOPS_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    echo_sql: bool = False
