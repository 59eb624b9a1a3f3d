"""Errors raised while ingesting documents.

IngestError
 ├── SourceNotFound    a path does not exist
 ├── UnsupportedFile   an extension we cannot read, or a binary file behind a text extension
 ├── UnreadableFile    the file exists but cannot be read (permissions, corrupt PDF)
 └── EmptyDocument     no text to index (empty file, whitespace only, folder with no documents)
"""

from __future__ import annotations


class IngestError(Exception):
    """Base class of every error raised by ``ingest``."""


class SourceNotFound(IngestError):
    """A path given to ingest does not exist."""


class UnsupportedFile(IngestError):
    """The file type is not supported, or the file is binary."""


class UnreadableFile(IngestError):
    """The file cannot be read."""


class EmptyDocument(IngestError):
    """There is no text to index."""
