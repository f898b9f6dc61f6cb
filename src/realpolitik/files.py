"""Open a file only once it is known to be a regular file within a size limit.

The checks run on the open descriptor (``fstat``), before a byte is read: a FIFO, a
device such as /dev/zero or a file over the limit is refused at once, and the open itself
cannot block (``O_NONBLOCK``), so a FIFO in a directory never hangs a run.
"""

from __future__ import annotations

import os
import stat
from typing import BinaryIO


class FileRefused(Exception):
    """Why a path was not opened; the message is a phrase ("is not a regular file")."""


_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


def open_regular(path: str, max_bytes: int) -> tuple[BinaryIO, int]:
    """The open file and its size; FileRefused unless a readable, non-empty regular file
    of at most ``max_bytes``."""
    try:
        fd = os.open(path, _FLAGS)
    except FileNotFoundError as exc:
        raise FileRefused("no such file") from exc
    except PermissionError as exc:
        raise FileRefused("cannot be read (permission denied)") from exc
    except OSError as exc:
        raise FileRefused(f"cannot be read ({exc.strerror or exc})") from exc
    try:
        size = _checked_size(os.fstat(fd), max_bytes)
    except FileRefused:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb"), size


def _checked_size(st: os.stat_result, max_bytes: int) -> int:
    if stat.S_ISDIR(st.st_mode):
        raise FileRefused("is a directory that cannot be listed")
    if not stat.S_ISREG(st.st_mode):
        raise FileRefused("is not a regular file")
    if st.st_size == 0:
        raise FileRefused("is empty")
    if st.st_size > max_bytes:
        raise FileRefused(f"is {st.st_size:,} bytes, over the {max_bytes:,}-byte limit")
    return st.st_size


def read_regular(path: str, max_bytes: int) -> bytes:
    """All bytes of a checked regular file (never more than ``max_bytes``, even if it grows)."""
    fh, _ = open_regular(path, max_bytes)
    with fh:
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileRefused(f"is over the {max_bytes:,}-byte limit")
    return data
