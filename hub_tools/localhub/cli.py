"""``gaokerena hub serve``: run the local Hugging Face Hub server in the foreground.

    gaokerena hub serve --root ./hub --port 8080 --token-file tokens.yaml
    python -m hub_tools.localhub serve --root ./hub --token-file tokens.yaml

Tokens come from ``--token-file`` (YAML/JSON ``{"tokens": {"<token>": {"user": "alice", "orgs": ["gaokerena"]}}}``,
repeatable; keep it 0600) and, for throw-away tokens only, ``--token TOKEN=USER[:ORG1,ORG2]``, which anyone on the
machine can read in the process list (a warning says so). Tokens are never printed or logged.
SIGTERM and Ctrl-C stop the server cleanly. The log level is `--log-level`, defaulting to the user setting
``GAOKERENA_LOG_LEVEL`` (DEBUG, INFO, WARNING, ERROR), else INFO.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Callable

from .auth import parse_token_arg
from .server import (DEFAULT_BODY_DEADLINE, DEFAULT_BODY_GRACE, DEFAULT_BODY_TIMEOUT, DEFAULT_HEADER_TIMEOUT,
                     DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_REQUEST_BYTES, DEFAULT_MIN_BODY_RATE,
                     LocalHub)

logger = logging.getLogger("hub_tools.localhub")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gaokerena hub", description="The local Hugging Face Hub server.")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve a Hub from a directory")
    serve.add_argument("--root", required=True, type=Path, help="storage directory (created if missing)")
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port (0 = any free port; default 8080)")
    serve.add_argument("--token", action="append", default=[], metavar="TOKEN=USER[:ORG1,ORG2]",
                       help="a token and who it belongs to (repeatable; visible in the process list: prefer "
                            "--token-file)")
    serve.add_argument("--token-file", action="append", default=[], type=Path,
                       help="YAML/JSON file {tokens: {TOKEN: {user, orgs}}} (repeatable)")
    serve.add_argument("--max-request-mb", type=float, default=None, help="cap on a request body (413 beyond)")
    serve.add_argument("--max-file-mb", type=float, default=None, help="cap on one file (413 beyond)")
    serve.add_argument("--lfs-threshold-mb", type=float, default=10.0, help="files at least this big go to LFS")
    serve.add_argument("--regular-only", action="store_true",
                       help="never ask for LFS (for clients with Xet on; files travel inside the commit)")
    serve.add_argument("--no-xet", dest="xet", action="store_false",
                       help="do not serve the Xet token endpoints and CAS (clients then need HF_HUB_DISABLE_XET=1)")
    serve.add_argument("--body-deadline", type=float, default=DEFAULT_BODY_DEADLINE,
                       help="seconds a whole non-upload body may take (408 beyond)")
    serve.add_argument("--min-body-rate", type=int, default=DEFAULT_MIN_BODY_RATE,
                       help="bytes/s a body must average once --body-grace seconds have passed (408 below)")
    serve.add_argument("--body-grace", type=float, default=DEFAULT_BODY_GRACE,
                       help="seconds before the body rate floor applies")
    serve.add_argument("--tree-page-size", type=int, default=50, help="entries per tree page (Link pagination)")
    serve.add_argument("--header-timeout", type=float, default=DEFAULT_HEADER_TIMEOUT,
                       help="seconds a client has to send a request's headers (then the connection is closed)")
    serve.add_argument("--body-timeout", type=float, default=DEFAULT_BODY_TIMEOUT,
                       help="seconds a request body may stall between two chunks (then 408)")
    serve.add_argument("--max-connections", type=int, default=DEFAULT_MAX_CONNECTIONS,
                       help="open connections at most (beyond: 503)")
    serve.add_argument("--log-level", default=os.environ.get("GAOKERENA_LOG_LEVEL", "INFO"),
                       help="DEBUG, INFO, WARNING or ERROR (default: $GAOKERENA_LOG_LEVEL, else INFO)")
    # Internal: exact byte limits and a file where the bound port is written once serving (LocalHubProcess).
    serve.add_argument("--max-request-bytes", type=int, default=None, help=argparse.SUPPRESS)
    serve.add_argument("--max-file-bytes", type=int, default=None, help=argparse.SUPPRESS)
    serve.add_argument("--ready-file", type=Path, default=None, help=argparse.SUPPRESS)
    return parser


def _limit(mb: float | None, exact: int | None, default: int) -> int:
    if exact is not None:
        return exact
    return int(mb * 1024 * 1024) if mb is not None else default


def _tokens(args: argparse.Namespace) -> dict[str, dict]:
    from .auth import load_token_file

    tokens: dict[str, dict] = {}
    for path in args.token_file:
        tokens.update(load_token_file(path))
    if args.token:
        logger.warning("--token puts tokens in the process list, where every user of this machine can read them: "
                       "prefer --token-file (a 0600 YAML/JSON file)")
    for arg in args.token:
        token, identity = parse_token_arg(arg)
        tokens[token] = identity
    return tokens


def serve(args: argparse.Namespace, before_ref_move: Callable[[str], None] | None = None) -> int:
    hub = LocalHub(
        args.root, host=args.host, port=args.port, tokens=_tokens(args),
        max_request_bytes=_limit(args.max_request_mb, args.max_request_bytes, DEFAULT_MAX_REQUEST_BYTES),
        max_file_bytes=_limit(args.max_file_mb, args.max_file_bytes, DEFAULT_MAX_FILE_BYTES),
        lfs_threshold_bytes=int(args.lfs_threshold_mb * 1024 * 1024), tree_page_size=args.tree_page_size,
        regular_only=args.regular_only, header_timeout=args.header_timeout, body_timeout=args.body_timeout,
        max_connections=args.max_connections, xet=args.xet, body_deadline=args.body_deadline,
        min_body_rate=args.min_body_rate, body_grace=args.body_grace, before_ref_move=before_ref_move,
    )
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    hub.start()
    if args.ready_file:
        args.ready_file.write_text(json.dumps({"port": hub.port, "pid": os.getpid()}))
    print(f"Local Hub serving {args.root} at {hub.url} ({len(hub.tokens)} tokens). Ctrl-C to stop.", flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        hub.stop()
    return 0


def main(argv: list[str] | None = None, before_ref_move: Callable[[str], None] | None = None) -> int:
    """Run ``serve``; ``before_ref_move`` is handed to the storage (see ``Storage``), for crash tests."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv = ["serve", *argv]
    args = _parser().parse_args(argv)
    logging.basicConfig(level=getattr(logging, str(args.log_level).upper(), logging.INFO),
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return serve(args, before_ref_move=before_ref_move)
    except (OSError, ValueError) as exc:
        logger.error("cannot start the local Hub: %s", exc)
        return 1


if __name__ == "__main__":
    sys.exit(main())
