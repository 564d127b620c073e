"""``plantops worker`` whose plan runs pause after each step they report, so that a test can
watch a run's progress from another process and kill the worker while it runs.

Run as ``python -m tests.jobs.slow_worker SECONDS [worker options]``.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from typing import Any

from plantops.cli import main
from plantops.jobs.kinds import KINDS, Run


def _pausing(pause: float) -> Any:
    planned = KINDS["plan"].run

    def run(job: Run, request: Any) -> Any:
        def progress(step: str, *counts: int | None) -> None:
            job.progress(step, *counts)
            time.sleep(pause)

        return planned(dataclasses.replace(job, progress=progress), request)

    return run


if __name__ == "__main__":
    KINDS["plan"] = dataclasses.replace(KINDS["plan"], run=_pausing(float(sys.argv[1])))
    sys.argv = ["plantops", "worker", *sys.argv[2:]]
    main()
