"""`gaokerena release`: plan, push, verify and tag a versioned release described by a manifest.

    gaokerena release plan release/gaokerena-v1.yaml --endpoint http://127.0.0.1:8080
    gaokerena release push release/gaokerena-v1.yaml --endpoint http://127.0.0.1:8080 [--dry-run]

The endpoint is ``--endpoint`` or ``HF_ENDPOINT``; the token is ``HF_TOKEN`` or the one ``hf auth login`` stored
(``huggingface_hub.get_token()``) and is never printed. Exit status: 0 released (or nothing to do), 1 a
verification failed (nothing was tagged), 2 refused before any write (bad manifest, no token, a released version
would change).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gaokerena release", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("plan", "per repo, the files a push would add, change or delete (read-only)"),
        ("push", "commit what changed, verify at the new commits, then tag every repo with the version"),
    ):
        sub = commands.add_parser(name, help=help_text)
        sub.add_argument("manifest", help="the release manifest (YAML), e.g. release/gaokerena-v1.yaml")
        sub.add_argument("--endpoint", default=None, help="Hub URL (default: $HF_ENDPOINT, else huggingface.co)")
        if name == "push":
            sub.add_argument("--dry-run", action="store_true", help="plan and render cards; write nothing")
    return parser


def configure_endpoint(endpoint: str | None) -> str:
    """Export the endpoint before any Hugging Face library is imported (they read HF_ENDPOINT at import)."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")
    if endpoint:
        os.environ["HF_ENDPOINT"] = endpoint.rstrip("/")
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")
    if "huggingface_hub.constants" in sys.modules:
        from huggingface_hub import constants

        if constants.ENDPOINT.rstrip("/") != endpoint:
            raise SystemExit(
                f"gaokerena release: the Hugging Face libraries were imported with endpoint {constants.ENDPOINT}, "
                f"not {endpoint}; set HF_ENDPOINT before starting Python"
            )
    return endpoint


class _StdoutHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stdout`` is at the time of the record (pytest's capture swaps it)."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)

    @property
    def stream(self):  # type: ignore[override]
        return sys.stdout

    @stream.setter
    def stream(self, value) -> None:
        pass


def configure_logging() -> None:
    """Progress lines of the release and card modules go to stdout, once per process."""
    for name in ("hub_tools.release", "hub_tools.cards"):
        log = logging.getLogger(name)
        log.setLevel(logging.INFO)
        if not any(isinstance(h, _StdoutHandler) for h in log.handlers):
            handler = _StdoutHandler()
            handler.setFormatter(logging.Formatter("%(message)s"))
            log.addHandler(handler)
        log.propagate = False


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    endpoint = configure_endpoint(args.endpoint)
    configure_logging()

    import httpx2
    from huggingface_hub import HfApi, get_token
    from huggingface_hub.errors import HfHubHTTPError

    from hub_tools.cards.model import CardError
    from hub_tools.release.manifest import ManifestError, load_manifest
    from hub_tools.release.push import ReleaseError, plan_release, push_release

    try:
        manifest = load_manifest(args.manifest)
    except (ManifestError, FileNotFoundError) as error:
        print(f"gaokerena release: {error}", file=sys.stderr)
        return 2
    token = get_token()
    if not token:
        print("gaokerena release: no Hub token: set HF_TOKEN or run `hf auth login`", file=sys.stderr)
        return 2
    api = HfApi(endpoint=endpoint, token=token)
    print(f"release {manifest.version} of {manifest.namespace} ({len(manifest.artifacts)} repos) on {endpoint}")
    try:
        if args.command == "plan":
            print_plan(plan_release(api, manifest))
            return 0
        report = push_release(api, manifest, dry_run=args.dry_run)
    except (ReleaseError, CardError, FileNotFoundError, HfHubHTTPError) as error:
        print(f"gaokerena release: {error}", file=sys.stderr)
        return 2
    except (httpx2.TransportError, ConnectionError) as error:  # huggingface_hub's HTTP client raises connection failures unwrapped
        print(f"gaokerena release: cannot reach the Hub at {endpoint}: {error}", file=sys.stderr)
        return 2
    return print_report(report)



def print_plan(states) -> None:
    totals = [0, 0, 0]
    for state in states:
        plan = state.plan
        where = f"head {plan.head[:12]}" if plan.exists else "new repo"
        tag = f", tag at {state.tag_commit[:12]}" if state.tag_commit else ""
        status = "unchanged" if plan.unchanged else f"+{len(plan.added)} ~{len(plan.changed)} -{len(plan.deleted)}"
        print(f"{state.artifact.repo_type:8} {plan.repo_id:45} {status} ({where}{tag})")
        for mark, paths, sizes in (("+", plan.added, plan.files), ("~", plan.changed, plan.files),
                                   ("-", plan.deleted, plan.remote)):  # fmt: skip
            for path in paths:
                print(f"    {mark} {path} ({sizes[path].size:,} bytes)")
        totals[0] += plan.upload_bytes
        totals[1] += plan.deleted_bytes
        totals[2] += not plan.unchanged
    print(f"{totals[2]} repo(s) to commit, {totals[0]:,} bytes to upload, {totals[1]:,} bytes to delete")


def print_report(report) -> int:
    if report.dry_run:
        print_plan(report.repos)
        print("dry run: nothing was written")
        return 0
    timings = ", ".join(f"{k} {v:.1f} s" for k, v in report.stage_seconds.items())
    if not report.ok:
        print(f"release {report.version} FAILED verification; no repo was tagged ({timings}):", file=sys.stderr)
        for check in report.failures:
            print(f"  {check}", file=sys.stderr)
        return 1
    tagged = sum(repo.tagged for repo in report.repos)
    print(
        f"release {report.version}: {report.commits} commit(s), {report.uploaded_bytes:,} bytes uploaded, "
        f"{tagged} tag(s) created ({timings})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
