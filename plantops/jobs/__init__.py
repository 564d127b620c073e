"""Long work as durable jobs: recorded and queued in the database, run by worker processes.

:mod:`.kinds` says what each kind of job runs, :mod:`.runner` runs one job (claim,
progress, outcome), :mod:`.queue` is what the entrypoints use, and :mod:`.postgres`
(procrastinate) and :mod:`.local` (threads on the job table, for SQLite) are the two
ways jobs reach a worker. This layer sits between the entrypoints and the composition
root: it calls services, and entrypoints (API, web, CLI, ``plantops worker``) call it.
"""
