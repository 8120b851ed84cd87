"""What a bench result file records about its run: the date, the machine and the load average before and after.

    before = load_average()
    ...                                   # the measurements, baseline included (same run)
    result = {**measurements, **run_context(before)}

A shared machine's load moves the seconds; a result is read with its load and next to the baseline measured in the
same run.
"""

from __future__ import annotations

import datetime as dt
import os
import platform


def load_average() -> list[float]:
    """The 1, 5 and 15 minute load averages, rounded."""
    return [round(x, 2) for x in os.getloadavg()]


def run_context(load_before: list[float]) -> dict:
    """``date`` (UTC), ``machine`` (platform, Python, CPUs) and ``load_average`` before and after the run."""
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": {"platform": platform.platform(), "python": platform.python_version(), "cpus": os.cpu_count()},
        "load_average": {"before": load_before, "after": load_average()},
    }
