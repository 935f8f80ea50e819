"""Files the daemon and its CLI share in the service's state folder.

Under systemd the folder belongs to the service's (dynamic) user, while an operator runs the
CLI with sudo: a file root creates there (the database on `sudo replyclock db upgrade`, the
leader lock and status.json on `sudo replyclock run --once`) must belong to the folder's owner,
or the service can no longer open it. SQLite does the same for its own -wal and -shm files.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def give_to_folder_owner(path: Path, fd: int | None = None) -> None:
    """When running as root, hand `path` (open as `fd`, if given) to the owner of its folder."""
    if os.geteuid() != 0:
        return
    folder = path.parent.stat()
    if folder.st_uid == 0:
        return
    if fd is not None:
        os.fchown(fd, folder.st_uid, folder.st_gid)
    else:
        os.lchown(path, folder.st_uid, folder.st_gid)


def write_private(path: Path, text: str) -> None:
    """Replace `path` with `text` (UTF-8) atomically, mode 0600: readers never see half a file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}-", suffix=".tmp", dir=path.parent)  # mkstemp: mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            give_to_folder_owner(Path(tmp), out.fileno())
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
