"""Files the daemon and its CLI share in the service's state folder.

Under systemd the folder belongs to the service's (dynamic) user, while an operator runs the
CLI with sudo: a file root creates there (the database on `sudo replyclock db upgrade`, the
leader lock and status.json on `sudo replyclock run --once`) must belong to the folder's owner,
or the service can no longer open it. SQLite does the same for its own -wal and -shm files.
"""

from __future__ import annotations

import os
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
