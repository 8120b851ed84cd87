"""Content hashes as the Hub reports them: the git blob sha1 of a regular file (a tree entry's ``oid``) and the
sha256 of an LFS file (``lfs.oid``). Standard library only; shared by the local Hub and the publishing engine.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK = 8 * 1024 * 1024
# The largest file the Hub stores as a regular git blob; larger ones are always LFS, identified by sha256 alone.
REGULAR_FILE_LIMIT = 10 * 1024 * 1024
SAMPLE = 512  # the first bytes huggingface_hub sends to the preupload endpoint


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


def hash_file(path: Path, *, sha1_limit: int | None = REGULAR_FILE_LIMIT) -> tuple[str | None, str, int, bytes]:
    """(git blob sha1, sha256, size, first 512 bytes) of a file, read once in chunks.

    The git blob sha1 is computed only for files up to ``sha1_limit`` bytes (None: always): larger files are LFS on
    the Hub, where the sha256 alone identifies them, so hashing them twice would only cost time.
    """
    size = path.stat().st_size
    sha256 = hashlib.sha256()
    sha1 = hashlib.sha1(_blob_header(size)) if sha1_limit is None or size <= sha1_limit else None
    with path.open("rb") as handle:
        sample = handle.read(SAMPLE)
        chunk = sample
        while chunk:
            sha256.update(chunk)
            if sha1 is not None:
                sha1.update(chunk)
            chunk = handle.read(CHUNK)
    return (sha1.hexdigest() if sha1 else None), sha256.hexdigest(), size, sample
