"""Chroma client factory: an embedded PersistentClient or an HttpClient, behind one ClientAPI."""

from __future__ import annotations

import logging
import os

from store.config import StoreSettings
from store.errors import StoreUnavailable

logger = logging.getLogger(__name__)


def make_client(settings: StoreSettings):  # -> chromadb.api.ClientAPI
    """Open the Chroma client described by ``settings``.

    Raises:
        StoreUnavailable: the directory cannot be opened or the server does not answer.
    """
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    try:
        if settings.host:
            client = chromadb.HttpClient(
                host=settings.host, port=settings.port, ssl=settings.ssl, settings=chroma_settings
            )
            client.heartbeat()
            return client
        settings.path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.path), settings=chroma_settings)
    except Exception as exc:  # chromadb raises ValueError, ConnectionError, httpx errors, OSError...
        if settings.host:
            raise StoreUnavailable(
                f"cannot reach the Chroma server at {settings.location} ({type(exc).__name__}); "
                "start it with `chroma run --port "
                f"{settings.port}` or unset CITECHAT_STORE__HOST"
            ) from exc
        raise StoreUnavailable(
            f"cannot open the Chroma store at {settings.location}: {exc}; "
            "check CITECHAT_STORE__PATH points to a writable directory"
        ) from exc
