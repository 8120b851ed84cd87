"""``python -m tests.support.pausing_localhub MARKER SECONDS serve ...``: the local Hub's CLI, pausing mid-commit.

Each commit, once its commit object is written and before the ref moves, writes the repo id to MARKER and
sleeps SECONDS: a crash test kills the server right there (tests/hub_tools/localhub/test_localhub_process.py).
"""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

from hub_tools.localhub import cli

logger = logging.getLogger(__name__)


def pause_before_ref_move(marker: Path, seconds: float):
    def pause(repo_id: str) -> None:
        marker.write_text(repo_id)
        logger.warning("pausing %s s before moving the ref of %s", seconds, repo_id)
        time.sleep(seconds)
        marker.unlink(missing_ok=True)

    return pause


def main(argv: list[str]) -> int:
    marker, seconds, *rest = argv
    return cli.main(rest, before_ref_move=pause_before_ref_move(Path(marker), float(seconds)))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
