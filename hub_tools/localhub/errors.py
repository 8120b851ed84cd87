"""Errors the local Hub turns into HTTP answers.

Every error carries an ``X-Error-Code``: the three the Hugging Face client interprets (``RepoNotFound``,
``RevisionNotFound``, ``EntryNotFound``, plus ``GatedRepo``) and descriptive ones for everything else, which the
client treats as a plain ``HfHubHTTPError`` keeping the status code.
"""

from __future__ import annotations

from typing import Any


class HubError(Exception):
    """An error with an HTTP status, an ``X-Error-Code`` and a message (sent as ``X-Error-Message`` and JSON)."""

    def __init__(self, status: int, code: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra  # extra keys for the JSON body (e.g. "url" on a 409 from create_repo)
        self.headers: dict[str, str] = {}


def bad_request(message: str) -> HubError:
    return HubError(400, "BadRequest", message)


def unauthorized(message: str = "Invalid credentials in Authorization header") -> HubError:
    return HubError(401, "Unauthorized", message)


def forbidden(message: str) -> HubError:
    return HubError(403, "Forbidden", message)


def repo_not_found(repo_id: str) -> HubError:
    """The Hub's own text, which huggingface_hub finds inside its "Repository Not Found for url" message (it then
    adds nothing after it); the repo id is in the URL the client names."""
    return HubError(404, "RepoNotFound", "Repository not found")


def revision_not_found(revision: str, repo_id: str) -> HubError:
    return HubError(404, "RevisionNotFound", f"Invalid rev id: {revision} (repository {repo_id})")


def entry_not_found(path: str, commit: str | None = None) -> HubError:
    err = HubError(404, "EntryNotFound", f"Entry not found: {path}")
    if commit:
        err.headers["X-Repo-Commit"] = commit
    return err


def conflict(message: str, **extra: Any) -> HubError:
    return HubError(409, "Conflict", message, **extra)


def precondition_failed(message: str) -> HubError:
    return HubError(412, "PreconditionFailed", message)


def too_large(message: str) -> HubError:
    return HubError(413, "PayloadTooLarge", message)
