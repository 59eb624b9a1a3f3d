"""Composition root: open the configured store and seed it with the bundled article when empty."""

from __future__ import annotations

from assistant.config import Settings
from ingest import ensure_bundled
from store import Store, open_store


def open_seeded_store(settings: Settings) -> Store:
    """Open the store from ``settings``; ingest the bundled article if it holds no document."""
    store = open_store(settings.store, settings.embedding)
    ensure_bundled(store)
    return store
