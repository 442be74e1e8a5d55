"""Handling an uploaded or named file before and after it is read: rewinding and fingerprinting."""

from __future__ import annotations

import hashlib
import io
import os
from typing import BinaryIO

from .readers import default_max_bytes

FileSource = str | os.PathLike[str] | BinaryIO


def rewindable(source: FileSource) -> FileSource:
    """The source, buffered when it is a stream that cannot be rewound (importers read it twice)."""
    if isinstance(source, str | os.PathLike):
        return source
    try:
        source.seek(0)
    except (AttributeError, OSError, io.UnsupportedOperation):
        # One byte over the limit is enough for the reader to refuse the file as too large.
        return io.BytesIO(source.read(default_max_bytes() + 1))
    return source


def fingerprint(source: FileSource) -> tuple[int, str]:
    """The file's size and SHA-256, read in blocks; a stream is left rewound."""
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as fh:
            return _digest(fh)
    source.seek(0)
    try:
        return _digest(source)
    finally:
        source.seek(0)


def _digest(fh: BinaryIO) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    for block in iter(lambda: fh.read(1 << 20), b""):
        digest.update(block)
        size += len(block)
    return size, digest.hexdigest()
