"""Errors raised by the assistant package.

AssistantError
 ├── InvalidQuestion   the question is empty or contains control characters
 └── LLMUnavailable    the configured language model cannot be used (missing extra, server down)
Store and ingest errors (``store.StoreError``, ``ingest.IngestError``) pass through unchanged.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base class of every error raised by ``assistant``."""


class InvalidQuestion(AssistantError):
    """The question cannot be answered as given."""


class LLMUnavailable(AssistantError):
    """The configured language model cannot be loaded or reached."""
