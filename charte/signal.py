"""A change signal shared by every process of one host, so that a cached page costs no query.

A process that commits a change to the inventory writes 8 new random bytes into a small file
(the instance folder's ``charte.signal``) *after* its commit and *before* the request that
made the change returns. Every worker maps that file into memory and compares those bytes
with the ones it saw when it last read the inventory state from the database: while they
are the same, nothing was committed on this host since, and the page in memory is current;
when they differ, the worker reads the state (one statement) and renders again if it moved.

Why this is as strict as reading the database on every request: a worker that sees the new
bytes reads the state after the commit that preceded them, so it cannot keep the old page;
and the bytes change before the save's response leaves, so a request sent after a save has
returned finds them changed, whichever worker answers it. Writers on this host are the web
workers, the command line (imports, seed) and anything else going through this code's
session; they all pass through ``after_commit``.

What the file cannot see: a change made from another host against the same PostgreSQL
database, or by hand in SQL. For those, every worker still reads the state at least every
``CHARTE_RECHECK_SECONDS`` (1 s by default; 0 reads it on every request, the strict choice
for several hosts). When the file cannot be created or mapped (a read-only instance folder),
the workers read the state on every request, as if the setting were 0, and say so once in
the log.

Only a difference counts, never an order: two writers at once each leave new bytes, readers
that see either read the database, and a torn read of the 8 bytes is just another
difference (one more query, never a stale page).
"""
import logging
import mmap
import os
import threading

log = logging.getLogger(__name__)

SIZE = 8
FILE_NAME = "charte.signal"


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
