"""``python -m tests.support.pausing_push ARGS...``: ``gaokerena release ARGS``, pausing after each repo's commit.

It prints ``pausing after <repo>`` and sleeps, so tests/hub_tools/release/test_resume.py can SIGKILL a push
half way, with the first repo committed and the rest untouched.
"""

from __future__ import annotations

import sys
import time

from hub_tools.release import cli

PAUSE_SECONDS = 120.0


def pause_after_commit(repo_id: str) -> None:
    print(f"pausing after {repo_id}", flush=True)
    time.sleep(PAUSE_SECONDS)


if __name__ == "__main__":
    sys.exit(cli.main(sys.argv[1:], on_commit=pause_after_commit))
