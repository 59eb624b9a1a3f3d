"""Errors raised by the assistant package.

AssistantError
 ├── InvalidQuestion   the question is empty, not valid text, or contains control characters
 ├── UnknownSource     ``sources=`` names a document the store does not hold
 └── LLMUnavailable    the configured language model cannot be used (missing extra, server down)
Store and ingest errors (``store.StoreError``, ``ingest.IngestError``) pass through unchanged.
"""

from __future__ import annotations


class AssistantError(Exception):
    """Base class of every error raised by ``assistant``."""


class InvalidQuestion(AssistantError, ValueError):
    """The question cannot be answered as given; ``code`` says why (empty, encoding, control)."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.code = code


class UnknownSource(AssistantError, ValueError):
    """A source given to scope the answer is not in the store."""


class LLMUnavailable(AssistantError):
    """The configured language model cannot be loaded or reached."""
