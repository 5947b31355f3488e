"""Reading a rubric folder's files: a path in, its bytes out, or an ``OSError`` saying why not.

A rubric folder is data that may come from anywhere (a county's copy, an archive). Only regular files are
read, and never more than a stated size: a FIFO named ``items.yaml`` would block the loader forever, and a
symlink to ``/dev/zero`` would be read until memory runs out. The file is opened without blocking and its
kind is checked on the open descriptor (not on the name, which could be swapped in between), then read up to
one byte past the limit.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_KINDS = {
    stat.S_IFDIR: "a folder",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


class NotReadable(OSError):
    """A rubric file that is not a regular file, or is larger than allowed."""


def read_regular(path: Path, limit: int) -> bytes:
    """The bytes of ``path`` if it is a regular file (or a symlink to one) of at most ``limit`` bytes."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotReadable(f"not a regular file ({_KINDS.get(stat.S_IFMT(mode), 'a special file')})")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise NotReadable(f"file larger than {limit} bytes")
        return b"".join(chunks)
    finally:
        os.close(fd)
