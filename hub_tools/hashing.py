"""Content hashes as the Hub reports them: the git blob sha1 of a regular file (a tree entry's ``oid``) and the
sha256 of an LFS file (``lfs.oid``). Standard library only; shared by the local Hub and the release tools.

(``space/deploy.py`` keeps its own copy of ``git_blob_sha1``: the tests keep every module of ``space/`` free of
``hub_tools`` imports.)
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

CHUNK = 8 * 1024 * 1024


def _blob_header(size: int) -> bytes:
    return b"blob %d\0" % size


def git_blob_sha1(data: bytes) -> str:
    """The git object id of a blob with this content."""
    digest = hashlib.sha1(_blob_header(len(data)))
    digest.update(data)
    return digest.hexdigest()


def hash_bytes(data: bytes) -> tuple[str, str]:
    """(git blob sha1, sha256) of ``data``."""
    return git_blob_sha1(data), hashlib.sha256(data).hexdigest()


def hash_file(path: Path) -> tuple[str, str]:
    """(git blob sha1, sha256) of a file, read once in chunks; the two digests run in parallel on large files
    (hashlib releases the GIL), which roughly halves the time on two cores."""
    size = path.stat().st_size
    sha1, sha256 = hashlib.sha1(_blob_header(size)), hashlib.sha256()
    with path.open("rb") as handle:
        if size <= CHUNK:
            data = handle.read()
            sha1.update(data)
            sha256.update(data)
        else:
            with ThreadPoolExecutor(max_workers=1) as pool:
                while chunk := handle.read(CHUNK):
                    pending = pool.submit(sha1.update, chunk)
                    sha256.update(chunk)
                    pending.result()
    return sha1.hexdigest(), sha256.hexdigest()


def sha256_file(path: Path) -> str:
    """The sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
