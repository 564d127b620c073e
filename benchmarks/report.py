"""What every benchmark shares: the facts of the machine it ran on, and its section of BENCHMARKS.md."""

from __future__ import annotations

import datetime as dt
import os
import platform
import re
from pathlib import Path

import psycopg
import sqlalchemy
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

BENCHMARKS_MD = Path(__file__).resolve().parents[1] / "BENCHMARKS.md"


def machine(database_url: str | None = None) -> dict[str, str]:
    """CPU, memory, software and (for PostgreSQL) the server's durability settings."""
    cpu = platform.processor() or platform.machine()
    memory = "?"
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text()
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.MULTILINE)
        cpu = found.group(1).strip() if found else cpu
        meminfo = Path("/proc/meminfo").read_text()
        kib = re.search(r"^MemTotal:\s*(\d+) kB", meminfo, re.MULTILINE)
        memory = f"{int(kib.group(1)) / 1024**2:.1f} GiB" if kib else memory
    except OSError:
        pass
    facts = {"CPU": f"{cpu}, {os.cpu_count()} logical cores", "RAM": memory}
    if database_url and database_url.startswith("postgresql"):
        engine = create_engine(database_url)
        with engine.connect() as connection:
            version = connection.execute(text("SHOW server_version")).scalar()
            settings: dict[str, str] = dict(
                connection.execute(
                    text(
                        "SELECT name, setting FROM pg_settings WHERE name IN"
                        " ('fsync', 'synchronous_commit', 'wal_sync_method')"
                    )
                ).all()
            )
        engine.dispose()
        facts["PostgreSQL"] = (
            f"{version} (fsync={settings.get('fsync')}, synchronous_commit={settings.get('synchronous_commit')}, "
            f"wal_sync_method={settings.get('wal_sync_method')}), same machine, TCP to 127.0.0.1"
        )
    facts["Software"] = (
        f"Python {platform.python_version()}, SQLAlchemy {sqlalchemy.__version__}, psycopg {psycopg.__version__}"
    )
    facts["Date"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d")
    return facts


def facts_lines(facts: dict[str, str]) -> list[str]:
    return [f"- {key}: {value}" for key, value in facts.items()]


def write_section(title: str, body: str, path: Path = BENCHMARKS_MD) -> None:
    """Replace the section headed ``## title`` in ``path`` (or append it), leaving the others alone."""
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    body = body.rstrip("\n") + "\n\n"
    pattern = re.compile(rf"^## {re.escape(title)}\n.*?(?=^## |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(current):
        updated = pattern.sub(lambda _: body, current, count=1)
    else:
        updated = current.rstrip("\n") + "\n\n" + body
    path.write_text(updated.rstrip("\n") + "\n", encoding="utf-8")


def fresh_postgres_database(server_url: str, name: str) -> str:
    """Drop and create database ``name`` on the server; its URL."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)
