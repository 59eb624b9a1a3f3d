"""Composition root: open the configured store and seed it with the bundled article when empty."""

from __future__ import annotations

from collections.abc import Callable

from assistant.config import Settings
from ingest import ensure_bundled
from store import Store, open_store


def open_seeded_store(settings: Settings, *, notice: Callable[[str], None] | None = None) -> Store:
    """Open the store from ``settings``; ingest the bundled article if it holds no document.

    Raises:
        StoreOutdated: the store needs ``citechat ingest`` (another model or an older citechat).
    """
    store = open_store(settings.store, settings.embedding, notice=notice)
    ensure_bundled(store)
    return store
