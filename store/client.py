"""Chroma client factory: an embedded PersistentClient or an HttpClient, behind one reopenable handle.

Embedded Chroma keeps each collection's vector index in memory per process and never reloads it when
another process writes: a reader that sees the store's revision change reopens the client (``reopen``),
which reloads the index from disk. The handle is shared by every ``Store`` of the same location in a process,
and a readers-writer lock keeps queries out while it is reopened.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any, TypeVar

from store.config import StoreSettings
from store.errors import StoreUnavailable

logger = logging.getLogger(__name__)
T = TypeVar("T")


class _ReadersWriter:
    """Many concurrent readers, or one writer."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writing = False

    def acquire_read(self) -> None:
        with self._cond:
            while self._writing:
                self._cond.wait()
            self._readers += 1

    def release_read(self) -> None:
        with self._cond:
            self._readers -= 1
            if not self._readers:
                self._cond.notify_all()

    def acquire_write(self) -> None:
        with self._cond:
            while self._writing or self._readers:
                self._cond.wait()
            self._writing = True

    def release_write(self) -> None:
        with self._cond:
            self._writing = False
            self._cond.notify_all()


def _open(settings: StoreSettings) -> Any:
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    try:
        if settings.host:
            client = chromadb.HttpClient(host=settings.host, port=settings.port, ssl=settings.ssl,
                                         settings=chroma_settings)
            client.heartbeat()
            return client
        settings.path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.path), settings=chroma_settings)
    except Exception as exc:  # chromadb raises ValueError, ConnectionError, httpx errors, OSError...
        raise unavailable(settings, exc) from exc


def unavailable(settings: StoreSettings, exc: BaseException) -> StoreUnavailable:
    """The one-line error for a store that cannot be reached, naming the server URL or the directory."""
    if settings.host:
        return StoreUnavailable(
            f"cannot reach the Chroma server at {settings.location} ({type(exc).__name__}); "
            f"start it with `chroma run --port {settings.port}` or unset CITECHAT_STORE__HOST"
        )
    return StoreUnavailable(
        f"cannot open the Chroma store at {settings.location}: {str(exc).splitlines()[0] if str(exc) else exc!r}; "
        "check CITECHAT_STORE__PATH points to a writable directory"
    )


class ChromaHandle:
    """A Chroma client that every ``Store`` of one location in this process shares, and that can be reopened."""

    def __init__(self, settings: StoreSettings) -> None:
        self.settings = settings
        self.client = _open(settings)
        self.epoch = 0
        self._lock = _ReadersWriter()

    def run(self, call: Callable[[Any], T]) -> T:
        """Run ``call(client)`` while no reopen can happen."""
        self._lock.acquire_read()
        try:
            return call(self.client)
        finally:
            self._lock.release_read()

    def reopen(self, seen_epoch: int) -> None:
        """Reload the embedded store from disk (no-op for a server, or if another thread just did it)."""
        if self.settings.host:
            return
        self._lock.acquire_write()
        try:
            if self.epoch != seen_epoch:
                return
            from chromadb.api.shared_system_client import SharedSystemClient

            identifier = self.client._identifier
            try:
                self.client.close()
            except Exception:  # closing a client whose system is gone is not worth failing over
                logger.debug("closing the Chroma client failed", exc_info=True)
            # Other handles cannot hold this path (handles are shared per location), so the cached system
            # is ours: drop it so that the next client loads the vector index from disk.
            system = SharedSystemClient._identifier_to_system.pop(identifier, None)
            SharedSystemClient._identifier_to_refcount.pop(identifier, None)
            if system is not None:
                try:
                    system.stop()
                except Exception:
                    logger.debug("stopping the Chroma system failed", exc_info=True)
            self.client = _open(self.settings)
            self.epoch += 1
        finally:
            self._lock.release_write()


_handles: dict[tuple, ChromaHandle] = {}
_handles_lock = threading.Lock()


def handle_for(settings: StoreSettings) -> ChromaHandle:
    """The process-wide handle for the store at ``settings``' location.

    Raises:
        StoreUnavailable: the directory cannot be opened or the server does not answer.
    """
    key = (settings.host, settings.port, settings.ssl) if settings.host else (str(settings.path.resolve()),)
    with _handles_lock:
        handle = _handles.get(key)
        if handle is None:
            handle = _handles[key] = ChromaHandle(settings)
        return handle


def make_client(settings: StoreSettings) -> Any:
    """The Chroma client for ``settings`` (``chromadb.api.ClientAPI``), shared within the process."""
    return handle_for(settings).client
