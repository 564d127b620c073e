"""Users, roles, tokens, API keys, the audit trail and the background jobs users start.

Secrets are never stored: passwords as argon2 hashes, tokens and API keys as the
SHA-256 digest of their random value. Columns marked ``info={"secret": True}`` are
never written to the audit trail.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from plantops.db.base import Base, enum_column
from plantops.vocabulary import AuditAction, CredentialKind, JobStatus, Role


class User(Base):
    """Someone (or a machine) who signs in; ``active`` False refuses every credential."""

    __tablename__ = "app_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(256), info={"secret": True})
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime]
    #: The CLDR locale the user writes numbers in (``de_DE``); None: the one their browser asks for.
    number_locale: Mapped[str | None] = mapped_column(String(35))


class SignInFailure(Base):
    """A refused sign-in: the name tried (known or not), the client's address and when.

    Recent failures throttle further sign-ins of the same name or from the same address;
    a successful sign-in clears its name's failures.
    """

    __tablename__ = "sign_in_failure"
    __table_args__ = (
        Index("ix_sign_in_failure_username_failed_at", "username", "failed_at"),
        Index("ix_sign_in_failure_address_failed_at", "address", "failed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    failed_at: Mapped[dt.datetime]


class UserRole(Base):
    """A role granted to a user."""

    __tablename__ = "user_role"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), primary_key=True)


class Credential(Base):
    """A bearer token (expires) or an API key (until revoked), known only by its digest."""

    __tablename__ = "credential"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CredentialKind] = mapped_column(enum_column(CredentialKind, "credential_kind"))
    name: Mapped[str] = mapped_column(String(64), default="")
    digest: Mapped[str] = mapped_column(String(64), unique=True, info={"secret": True})
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


class AuditEntry(Base):
    """One change to one record (or one bulk write to a table): who, when, what, before and after.

    ``record`` is the table, ``record_key`` the row's business code (or its id where it
    has none); ``before`` and ``after`` are JSON objects of the values that changed.
    """

    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_record", "record", "record_key"),
        Index("ix_audit_entry_user_at", "username", "at"),
        Index("ix_audit_entry_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime]
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[AuditAction] = mapped_column(enum_column(AuditAction, "audit_action"))
    record: Mapped[str] = mapped_column(String(64))
    record_key: Mapped[str] = mapped_column(String(200))
    rows: Mapped[int] = mapped_column(default=1)
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)


class BackgroundJob(Base):
    """A long run (plan, schedule, forecast, policy): queued, claimed by a worker, run, finished.

    The record is the job's truth for every process: ``worker`` names the process running
    it (``host:pid``), ``attempts`` how often one started it; ``step``, ``steps_done`` and
    ``steps_total`` with ``step_done`` / ``step_total`` (the count within the step) report
    its progress; ``cancel_requested`` asks the run to stop at its next step; ``result``
    (JSON) is its outcome and ``error`` why it failed. ``schedule`` names the recurring
    job that submitted it, if any.
    """

    __tablename__ = "background_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[JobStatus] = mapped_column(enum_column(JobStatus, "job_status"))
    submitted_by: Mapped[str] = mapped_column(String(64))
    submitted_at: Mapped[dt.datetime]
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    step: Mapped[str] = mapped_column(String(64), default="")
    steps_done: Mapped[int] = mapped_column(default=0)
    steps_total: Mapped[int | None]
    request: Mapped[str] = mapped_column(Text)
    result: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(default=0)
    worker: Mapped[str | None] = mapped_column(String(128))
    step_done: Mapped[int | None]
    step_total: Mapped[int | None]
    reported_at: Mapped[dt.datetime | None]
    cancel_requested: Mapped[bool] = mapped_column(default=False)
    schedule: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (Index("ix_background_job_status", "status", "id"),)


class JobSchedule(Base):
    """A recurring job, declared once: run ``kind`` with ``request`` (JSON) at the times of ``cron``.

    ``cron`` is a five-field cron expression read in ``timezone``; ``next_run_at`` (UTC)
    is when it is next due, and moves on as one process submits the job, so that no run
    is submitted twice however many processes look; ``last_job`` is the job it last
    submitted.
    """

    __tablename__ = "job_schedule"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    request: Mapped[str] = mapped_column(Text)
    cron: Mapped[str] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64))
    enabled: Mapped[bool] = mapped_column(default=True)
    next_run_at: Mapped[dt.datetime]
    last_job: Mapped[str | None] = mapped_column(String(32))
    run_as: Mapped[str] = mapped_column(String(64))
    declared_by: Mapped[str] = mapped_column(String(64))
    declared_at: Mapped[dt.datetime]
