"""The server's large bytes on disk, not in its memory: paused runs' checkpoints and finished
runs' model files, each held by whoever needs it and deleted when nobody does.

A class at the sidebar's caps makes models of 6.4 MB and checkpoints of 25 MB. Forty
sessions keeping five runs each and one paused would hold 2 GB in the server's heap; in
a :class:`FileStore` they hold a handle each (:class:`StoredFile`), and the bytes wait in
a temporary folder until a page reads them. A file is deleted as soon as the last handle
to it goes (its run ended, its session was shut down, the page forgot it), and the
folder with whatever is left when the store closes.
"""
import itertools
import os
import shutil
import tempfile
import threading
import weakref

_IDS = itertools.count(1)  # each stored file's number in this process: never reused


def remove(path):
    """Delete the file ``path`` if it is there (its store closed, or a worker took it)."""
    try:
        os.unlink(path)
    except OSError:
        pass


class StoredFile:
    """One file of a :class:`FileStore`: its ``path``, its ``size`` in bytes, ``id`` (a number
    never reused in this process, for caches), and ``iteration`` for a checkpoint.

    The file is deleted when this handle is garbage-collected, or at :meth:`release`.
    """

    def __init__(self, path, iteration=None):
        self.path = path
        self.size = os.path.getsize(path)
        self.id = next(_IDS)
        self.iteration = iteration
        self._delete = weakref.finalize(self, remove, path)

    def read(self):
        """The file's bytes (a download, a network loaded when asked)."""
        with open(self.path, "rb") as f:
            return f.read()

    def release(self):
        """Delete the file now."""
        self._delete()

    def hand_over(self):
        """Give the file to a worker, which deletes it once read; returns its path."""
        self._delete.detach()
        return self.path

    @property
    def alive(self):
        """Whether the file is still this handle's to delete."""
        return self._delete.alive

    def __len__(self):
        return self.size

    def __repr__(self):
        return f"StoredFile({self.path!r}, {self.size:,} bytes)"


class FileStore:
    """A temporary folder (``folder``) of :class:`StoredFile` s, removed by :meth:`close`, or
    when the store is collected or the process exits (not when it is killed)."""

    def __init__(self, prefix="ffn-"):
        self.folder = tempfile.mkdtemp(prefix=prefix)  # readable by this user only
        self._lock = threading.Lock()
        self._handles = weakref.WeakSet()
        self._remove = weakref.finalize(self, shutil.rmtree, self.folder, ignore_errors=True)

    def put(self, data, suffix=".npz"):
        """Write ``data`` (bytes) to a new file; returns its handle."""
        fd, path = tempfile.mkstemp(suffix=suffix, dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
        except BaseException:  # a full disk: no half-written file is left behind
            remove(path)
            raise
        return self.adopt(path)

    def adopt(self, path, iteration=None):
        """A handle to ``path``, a file a worker wrote in this store's folder, or None when it
        is not one (a path from anywhere else is never read or deleted)."""
        if path is None or os.path.dirname(os.path.abspath(path)) != os.path.abspath(self.folder):
            return None
        handle = StoredFile(path, iteration)
        with self._lock:
            self._handles.add(handle)
        return handle

    def copy(self, handle):
        """A new file with ``handle``'s bytes (two paused copies of one run: each resumes once)."""
        fd, path = tempfile.mkstemp(suffix=".npz", dir=self.folder)
        os.close(fd)
        try:
            shutil.copyfile(handle.path, path)
        except BaseException:
            remove(path)
            raise
        return self.adopt(path, handle.iteration)

    def discard(self, path):
        """Delete ``path`` if it is a file in this store's folder (one a worker wrote that
        nobody will read: its run was cancelled meanwhile, or its worker died)."""
        handle = self.adopt(path) if path is not None and os.path.exists(path) else None
        if handle is not None:
            handle.release()

    def sizes(self):
        """(files held, their bytes): for a status line or a bench."""
        with self._lock:
            held = [h for h in self._handles if h.alive]
        return len(held), sum(h.size for h in held)

    def close(self):
        """Delete the folder and every file left in it."""
        self._remove()
