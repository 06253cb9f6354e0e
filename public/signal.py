"""A change signal shared by the processes of one host, so that a stored page costs no query.

A process that commits an inventory change writes 8 new random bytes into a small file after
its commit and before its request returns; workers map the file and read the inventory state
from the database only when the bytes differ from those they last saw (README, Performance).
Only a difference counts, never an order: a torn read is one more query, never a stale page.
"""

import logging
import mmap
import os
import threading

log = logging.getLogger(__name__)

SIZE = 8


class ChangeSignal:
    """The shared bytes at ``path``: ``read()`` by workers, ``bump()`` by writers."""

    def __init__(self, path):
        self.path = os.fspath(path)
        self._lock = threading.Lock()
        self._map = None
        self._fd = None
        self._inode = None
        self._failed = False

    def _open(self):
        """Open (creating it if need be) and map the file; False when it cannot be."""
        if self._failed:
            return False
        try:
            # Read and write, or not at all: a worker that could read the signal but not
            # write it would trust it while the other workers never heard of its own saves.
            # Owner and group: a command run as another user of the group can tell too.
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o660)
            try:
                if os.fstat(fd).st_size < SIZE:
                    os.pwrite(fd, os.urandom(SIZE), 0)
                mapped = mmap.mmap(fd, SIZE, mmap.MAP_SHARED, mmap.PROT_READ)
                inode = os.fstat(fd).st_ino
            except BaseException:
                os.close(fd)
                raise
        except (OSError, ValueError) as error:
            self._failed = True
            log.warning(
                "Change signal %s unavailable (%s): the public pages read the inventory state "
                "from the database on every request.",
                self.path,
                error,
            )
            return False
        old_fd = self._fd
        self._map, self._fd, self._inode = mapped, fd, inode
        if old_fd is not None:
            # The old map is not closed here: another thread may be reading it; it closes
            # when the last reference goes (it holds its own descriptor).
            os.close(old_fd)
        return True

    @property
    def available(self):
        if self._map is None:
            with self._lock:
                if self._map is None:
                    self._open()
        return self._map is not None

    def read(self):
        """The current bytes, or None when there is no usable signal."""
        mapped = self._map
        if mapped is None:
            if not self.available:
                return None
            mapped = self._map
        try:
            return mapped[:SIZE]
        except ValueError:  # closed under us: no answer, so the caller asks the database
            return None

    def bump(self):
        """Leave new bytes for every reader (called after a commit)."""
        if not self.available:
            return
        self.follow_path()
        try:
            os.pwrite(self._fd, os.urandom(SIZE), 0)
        except OSError as error:
            log.warning("Could not write the change signal %s: %s", self.path, error)

    def follow_path(self):
        """Map the file again if the path now names another file (deleted and recreated): a
        worker would otherwise keep watching a file no writer opens. Called at each recheck."""
        if self._map is None or self._failed:
            return
        try:
            inode = os.stat(self.path).st_ino
        except OSError:
            inode = None
        if inode != self._inode:
            with self._lock:
                self._open()
