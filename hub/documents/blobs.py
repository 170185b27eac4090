"""The documents' bytes: files named by their SHA-256 under one directory, written atomically
(a temporary file, flushed to disk, then renamed into place) and verified on every read, so a
file changed on disk is never served as the document it no longer is.

Who uploaded each document is kept beside it (`<sha256>.uploaders`, one unit a line): the
uploader may fetch what it uploaded before any event attaching it has been routed.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path


class CorruptedBlobError(Exception):
    """The file kept for a digest no longer has that digest."""


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def has(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def write(self, sha256: str, content: bytes, uploader: str) -> None:
        """Keep `content` (whose digest the caller checked) and record `uploader`."""
        target = self.path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not self.has(sha256):
            _atomic_write(target, content)
        uploaders = self.uploaders(sha256)
        if uploader not in uploaders:
            lines = "".join(f"{unit}\n" for unit in sorted(uploaders | {uploader}))
            _atomic_write(target.with_name(f"{sha256}.uploaders"), lines.encode())

    def read(self, sha256: str) -> bytes:
        """The document's bytes; raises `CorruptedBlobError` when they are not `sha256`'s."""
        content = self.path(sha256).read_bytes()
        if hashlib.sha256(content).hexdigest() != sha256:
            raise CorruptedBlobError(f"the stored file for {sha256} does not match its digest")
        return content

    def uploaders(self, sha256: str) -> frozenset[str]:
        listed = self.path(sha256).with_name(f"{sha256}.uploaders")
        try:
            text = listed.read_text(encoding="utf-8")
        except FileNotFoundError:
            return frozenset()
        return frozenset(line for line in text.splitlines() if line)


def _atomic_write(target: Path, content: bytes) -> None:
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
    temporary = Path(name)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        temporary.replace(target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
