"""The writers' lock: one ingest, removal or rebuild at a time per store.

Chroma is not process-safe for concurrent writers, and citechat's own write protocol (new rows, then the
record switch, then cleanup) assumes one writer. Embedded stores lock a file beside the Chroma directory;
stores on a Chroma server lock a file in the cache directory keyed by the server and collection, which
serialises writers on one machine (writers on several machines must not overlap).
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from filelock import FileLock, Timeout

from store.config import StoreSettings
from store.errors import StoreBusy


def lock_path(settings: StoreSettings) -> Path:
    """Where the writers' lock of this store lives."""
    if settings.host:
        key = hashlib.sha1(f"{settings.location}/{settings.collection}".encode()).hexdigest()[:16]
        return settings.cache_dir / "locks" / f"server-{key}.lock"
    return settings.path.parent / f".{settings.path.name}-{settings.collection}.write.lock"


class WriterLock:
    """A re-entrant, inter-process lock held while writing; says who holds it when busy."""

    def __init__(self, settings: StoreSettings) -> None:
        self.settings = settings
        self.path = lock_path(settings)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = FileLock(str(self.path), thread_local=False)
        self._owner = self.path.with_suffix(".owner")
        # The file lock is re-entrant for the whole process: threads (two browser uploads) queue here first.
        self._threads = threading.RLock()
        self.depth = 0

    def __enter__(self) -> WriterLock:
        if not self._threads.acquire(timeout=self.settings.lock_seconds):
            raise StoreBusy(f"another ingest is running on {self.settings.location}; wait for it to finish")
        try:
            self._lock.acquire(timeout=self.settings.lock_seconds)
        except Timeout:
            self._threads.release()
            holder = self._owner.read_text(encoding="utf-8").strip() if self._owner.exists() else "another process"
            raise StoreBusy(
                f"another ingest is running on {self.settings.location} ({holder}); wait for it to finish and "
                "run this again"
            ) from None
        self.depth += 1
        if self.depth == 1:
            self._owner.write_text(f"pid {os.getpid()}", encoding="utf-8")
        return self

    def __exit__(self, *exc: object) -> None:
        self.depth -= 1
        self._lock.release()
        self._threads.release()


_locks: dict[str, WriterLock] = {}
_locks_guard = threading.Lock()


def writer_lock_for(settings: StoreSettings) -> WriterLock:
    """The process-wide writers' lock of a store (every ``Store`` of one location in a process shares it)."""
    key = str(lock_path(settings))
    with _locks_guard:
        lock = _locks.get(key)
        if lock is None:
            lock = _locks[key] = WriterLock(settings)
        return lock
