"""`gaokerena release`: plan, push, verify and tag a versioned release described by a manifest.

    gaokerena release plan release/gaokerena-v1.yaml --endpoint http://127.0.0.1:8080
    gaokerena release push release/gaokerena-v1.yaml --endpoint http://127.0.0.1:8080 [--dry-run] [--full-load]
    gaokerena release push release/gaokerena-v1.yaml --create-pr     # one pull request per repo, for review
    gaokerena release push release/gaokerena-v1.yaml --merge-prs     # later: merge them, verify, tag, record
    gaokerena release verify release/gaokerena-v1.yaml|release.json [--endpoint URL] [--expect COMMIT]
    gaokerena release run release/gaokerena-v1.yaml --profile real|rehearsal [--from S] [--until S] [--dry-run]

The endpoint is ``--endpoint`` or ``HF_ENDPOINT``; the token is ``HF_TOKEN`` or the one ``hf auth login`` stored
(``huggingface_hub.get_token()``) and is never printed. Exit status: 0 released (or nothing to do), 1 a
verification failed (nothing was tagged) or an already released version no longer matches its record, 2 refused
before any write (bad manifest, no token, a released version would change).

``verify`` reads the release record (a local ``release.json``, or the one a manifest's version has in its results
repo, ``releases/<version>/release.json`` read at the commit the results repo's version tag points to) and checks
it against the manifest (every repo, its tag, the tool version, a recipe per adapter), then, anonymously for public
repos, that every tag points to the recorded commit and every file there has the recorded hash (Hub metadata only,
nothing downloaded). A record on main that differs from the tagged one is reported, and ``--expect COMMIT`` (the
commit ``push`` printed) must be the record's commit. Exit status: 0 intact, 1 something differs (each repo and file
named), 2 the record cannot be read.

A push deletes only remote files that an earlier release record says this tool published; any other remote file
is kept and listed by ``plan``. ``--prune REPO_ID:PATH`` (repeatable) deletes one of those kept files. A dataset built
from the bundled samples is refused for any Hub but a local one unless ``--allow-samples``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gaokerena release", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (
        ("plan", "per repo, the files a push would add, change, delete or skip (read-only)"),
        ("push", "commit what changed, verify at the new commits, then tag every repo with the version"),
        ("verify", "check a released version against its record: tags and file hashes (nothing downloaded)"),
        ("run", "the release's stages (data, training, merges, eval, GGUF, push, Space), or print them (--dry-run)"),
    ):
        sub = commands.add_parser(name, help=help_text)
        if name == "run":
            from hub_tools.release.run import add_run_arguments

            sub.add_argument("manifest", help="the release manifest (YAML), e.g. release/gaokerena-v1.yaml")
            add_run_arguments(sub)
            continue
        what = "the release manifest (YAML), e.g. release/gaokerena-v1.yaml"
        sub.add_argument("manifest", help=what + (", or a release record (release.json)" if name == "verify" else ""))
        sub.add_argument("--endpoint", default=None, help="Hub URL (default: $HF_ENDPOINT, else huggingface.co)")
        if name == "verify":
            sub.add_argument("--expect", default=None, metavar="COMMIT",
                             help="the record's commit that `release push` printed; anything else fails")  # fmt: skip
        if name in ("plan", "push"):
            sub.add_argument("--prune", action="append", default=[], metavar="REPO_ID:PATH",
                             help="delete this remote file that the tool never published (one `plan` lists as "
                                  "kept); repeatable")  # fmt: skip
            sub.add_argument("--allow-samples", action="store_true",
                             help="publish datasets built from the bundled samples to a Hub that is not local")
        if name == "push":
            sub.add_argument("--dry-run", action="store_true", help="plan and render cards; write nothing")
            sub.add_argument("--full-load", action="store_true",
                             help="verify models and adapters by loading them and generating, datasets with "
                                  "load_dataset (downloads everything; default: structural checks from metadata "
                                  "and range requests)")  # fmt: skip
            add_pull_request_options(sub)
    return parser


def add_pull_request_options(sub: argparse.ArgumentParser) -> None:
    """``push --create-pr`` / ``--merge-prs``: a release reviewed as one pull request per repo, merged later."""
    group = sub.add_mutually_exclusive_group()
    group.add_argument("--create-pr", action="store_true",
                       help='propose the release as one pull request per repo, titled "Release <version>" (main '
                            "untouched, nothing tagged; a re-run updates the open pull request, never opens another)")
    group.add_argument("--merge-prs", action="store_true",
                       help="upload nothing: merge each repo's open release pull request, verify, tag and write "
                            "the release record")  # fmt: skip


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


def main(argv: list[str] | None = None, on_commit: Callable[[str], None] | None = None) -> int:
    """The ``gaokerena release`` CLI; ``on_commit`` goes to :func:`push_release` (crash tests pause there)."""
    args = make_parser().parse_args(argv)
    if args.command == "run":
        from hub_tools.release.run import run_main

        return run_main(args)
    endpoint = configure_endpoint(args.endpoint)
    configure_logging()

    import httpx2
    from huggingface_hub import HfApi, get_token
    from huggingface_hub.errors import HfHubHTTPError

    from hub_tools.cards.model import CardError
    from hub_tools.release.manifest import ManifestError, load_manifest
    from hub_tools.release.push import ReleaseError, plan_release, push_release
    from hub_tools.release.record import RecordError

    if args.command == "verify":
        return verify_main(args.manifest, endpoint, expect=args.expect)
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
            print_plan(plan_release(api, manifest, prune=tuple(args.prune), allow_samples=args.allow_samples))
            return 0
        report = push_release(api, manifest, dry_run=args.dry_run, full_load=args.full_load,
                              create_pr=args.create_pr, merge_prs=args.merge_prs, prune=tuple(args.prune),
                              allow_samples=args.allow_samples, on_commit=on_commit)  # fmt: skip
    except (ReleaseError, CardError, RecordError, FileNotFoundError, HfHubHTTPError) as error:
        print(f"gaokerena release: {error}", file=sys.stderr)
        return 2
    except (httpx2.TransportError, ConnectionError) as error:  # huggingface_hub's HTTP client raises connection failures unwrapped
        print(f"gaokerena release: cannot reach the Hub at {endpoint}: {error}", file=sys.stderr)
        return 2
    return print_report(report)



def verify_main(target: str, endpoint: str, *, expect: str | None = None) -> int:
    """``gaokerena release verify``: the record against the manifest, then its tags and file hashes against the Hub."""
    import httpx2
    from huggingface_hub import HfApi, get_token
    from huggingface_hub.errors import HfHubHTTPError

    from hub_tools.release.manifest import ManifestError, load_manifest
    from hub_tools.release.record import RecordError, check_against_manifest, load_record, verify_record

    anonymous = HfApi(endpoint=endpoint, token=False)
    token = get_token()
    authenticated = HfApi(endpoint=endpoint, token=token) if token else anonymous
    problems: list[str] = []
    holder_commit = None
    try:
        if target.endswith((".yaml", ".yml")):
            manifest = load_manifest(target)
            fetched = _fetch_tagged_record(anonymous, authenticated, manifest)
            if fetched is None:
                print(f"gaokerena release verify: no release record of {manifest.version} on {endpoint}",
                      file=sys.stderr)  # fmt: skip
                return 2
            record, holder_commit = fetched.record, fetched.commit
            print(f"release record: {record.holder}@{fetched.commit} "
                  f"({'at the version tag' if fetched.at_tag else 'on main: the results repo is not tagged'})")
            problems += [] if fetched.at_tag else [f"{record.holder}: tag {manifest.version} is missing"]
            problems += check_against_manifest(record, manifest)
            problems += _main_copy_problems(authenticated, manifest, fetched)
            if expect and not fetched.commit.startswith(expect.lower()):
                problems.append(f"the record is at {fetched.commit[:12]}, --expect says {expect}")
        else:
            record = load_record(target)
            if expect:
                problems.append("--expect needs the manifest (the record's commit is read from the Hub)")
    except (ManifestError, RecordError, FileNotFoundError, HfHubHTTPError) as error:
        print(f"gaokerena release verify: {error}", file=sys.stderr)
        return 2
    except (httpx2.TransportError, ConnectionError) as error:
        print(f"gaokerena release verify: cannot reach the Hub at {endpoint}: {error}", file=sys.stderr)
        return 2
    try:
        verdicts = verify_record(record, api_for=lambda repo: authenticated if repo.private else anonymous,
                                 holder_commit=holder_commit)  # fmt: skip
    except (httpx2.TransportError, ConnectionError) as error:
        print(f"gaokerena release verify: cannot reach the Hub at {endpoint}: {error}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"FAIL record: {problem}", file=sys.stderr)
    for verdict in verdicts:
        print(str(verdict), file=sys.stdout if verdict.ok else sys.stderr)
    failed = [v for v in verdicts if not v.ok]
    files = sum(len(r.files) for r in record.repos)
    if failed or problems:
        print(f"release {record.version}: {len(failed)} of {len(verdicts)} repo(s) differ from the record"
              + (": " + ", ".join(v.repo_id for v in failed) if failed else "")
              + (f"; {len(problems)} problem(s) with the record itself" if problems else ""), file=sys.stderr)
        return 1
    print(f"release {record.version}: {len(verdicts)} repos, {files} files, {record.size:,} bytes match the record "
          f"(tags and hashes); the record matches the manifest")  # fmt: skip
    return 0


def _fetch_tagged_record(anonymous, authenticated, manifest):
    """The record at the results repo's version tag, read anonymously first (a public release needs no token)."""
    from hub_tools.release.push import fetch_record

    return fetch_record(anonymous, manifest) or (fetch_record(authenticated, manifest)
                                                 if authenticated is not anonymous else None)  # fmt: skip


def _main_copy_problems(api, manifest, fetched) -> list[str]:
    """The record on the results repo's main branch must be the tagged one, byte for byte."""
    from hub_tools.release.push import fetch_record

    if not fetched.at_tag:
        return []
    on_main = fetch_record(api, manifest, revision="main")
    if on_main is None:
        return [f"{fetched.record.holder}: the release record is gone from main"]
    if on_main.text != fetched.text:
        return [f"{fetched.record.holder}: the release record on main (at {on_main.commit[:12]}) differs from the one "
                f"at tag {manifest.version} ({fetched.commit[:12]}): it was edited after the release"]
    return []


def print_plan(states) -> None:
    from hub_tools.publishing.engine import plan_lines

    totals = [0, 0, 0]
    kept: list[str] = []
    for state in states:
        plan = state.plan
        where = f"head {plan.head[:12]}" if plan.exists else "new repo"
        tag = f", tag at {state.tag_commit[:12]}" if state.tag_commit else ""
        status = "unchanged" if plan.unchanged else f"+{len(plan.added)} ~{len(plan.changed)} -{len(plan.deleted)}"
        if state.released:
            status = "released"
        print(f"{state.artifact.repo_type:8} {plan.repo_id:45} {status} ({where}{tag})")
        for line in plan_lines(plan):
            print(f"    {line}")
        for path in state.kept:
            print(f"    keep {path} (not published by gaokerena; --prune {plan.repo_id}:{path} deletes it)")
        kept += [f"{plan.repo_id}:{path}" for path in state.kept]
        totals[0] += plan.upload_bytes
        totals[1] += plan.deleted_bytes
        totals[2] += not plan.unchanged
    print(f"{totals[2]} repo(s) to commit, {totals[0]:,} bytes to upload, {totals[1]:,} bytes to delete")
    if kept:
        print(f"{len(kept)} remote file(s) kept (this tool never published them); the prune list: "
              + " ".join(f"--prune {item}" for item in kept))


def print_report(report) -> int:
    if report.dry_run:
        print_plan(report.repos)
        print_proposals(report)
        print("dry run: nothing was written")
        return 0
    timings = ", ".join(f"{k} {v:.1f} s" for k, v in report.stage_seconds.items())
    if report.mode == "create-pr":
        return print_proposed(report, timings)
    if report.record_failures:
        print(f"release {report.version} is already tagged and no longer matches its release record:",
              file=sys.stderr)  # fmt: skip
        for verdict in report.record_failures:
            print(f"  {verdict}", file=sys.stderr)
        return 1
    if not report.ok:
        print(f"release {report.version} FAILED verification; no repo was tagged ({timings}):", file=sys.stderr)
        for check in report.failures:
            print(f"  {check}", file=sys.stderr)
        return 1
    tagged = sum(repo.tagged for repo in report.repos)
    if report.mode == "merge-prs":
        print(f"release {report.version}: {len(report.with_pr('merged'))} pull request(s) merged")
    print(
        f"release {report.version}: {report.commits} commit(s), {report.uploaded_bytes:,} bytes uploaded, "
        f"{tagged} tag(s) created ({timings}); verification read {report.verify_downloaded_bytes:,} bytes"
    )
    if report.record_commit:
        from hub_tools.release.record import record_path

        print(f"release record: {record_path(report.version)} at commit {report.record_commit} of "
              f"{report.record.holder} (its {report.version} tag); check it with `gaokerena release verify MANIFEST "
              f"--expect {report.record_commit}`")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())


def print_proposals(report) -> None:
    """Dry run of ``--create-pr`` / ``--merge-prs``: per repo, what would happen to its release pull request."""
    if report.mode == "commit":
        return
    for state in report.repos:
        if state.released or state.plan.unchanged:
            continue
        repo, pr = state.artifact.repo_id, state.proposal
        if report.mode == "merge-prs":
            print(f"would merge pull request #{pr.num} of {repo}")
        elif pr is None:
            print(f"would open a pull request on {repo}")
        elif state.pr_plan.unchanged:
            print(f"pull request #{pr.num} of {repo} is up to date")
        else:
            plan = state.pr_plan
            print(f"would update pull request #{pr.num} of {repo} "
                  f"(+{len(plan.added)} ~{len(plan.changed)} -{len(plan.deleted)})")  # fmt: skip


def print_proposed(report, timings: str) -> int:
    """The end of ``--create-pr``: the pull requests, and whether they passed verification."""
    for state in report.repos:
        if state.proposal is not None:
            print(f"  {state.artifact.repo_id}: pull request #{state.proposal.num} ({state.pr_action})")
    if not report.ok:
        print(f"release {report.version}: the pull requests FAILED verification ({timings}):", file=sys.stderr)
        for check in report.failures:
            print(f"  {check}", file=sys.stderr)
        return 1
    counts = {action: len(report.with_pr(action)) for action in ("opened", "updated", "up to date")}
    print(f"release {report.version} proposed: {counts['opened']} pull request(s) opened, {counts['updated']} "
          f"updated, {counts['up to date']} up to date, {report.uploaded_bytes:,} bytes uploaded; nothing tagged "
          f"({timings}). After review: gaokerena release push --merge-prs")  # fmt: skip
    return 0
