"""Errors raised while ingesting documents.

IngestError
 ├── SourceNotFound    a path does not exist
 ├── UnsupportedFile   an extension we cannot read, a binary file behind a text extension, not a regular file
 ├── UnreadableFile    the file exists but cannot be read (permissions, corrupt or hostile PDF)
 ├── FileTooLarge      the file or its text exceeds the configured limit
 └── EmptyDocument     no text to index (empty file, whitespace only, folder with no documents)
"""

from __future__ import annotations


class IngestError(Exception):
    """Base class of every error raised by ``ingest``."""


class SourceNotFound(IngestError):
    """A path given to ingest does not exist."""


class UnsupportedFile(IngestError):
    """The file type is not supported, the file is binary, or it is not a regular file."""


class UnreadableFile(IngestError):
    """The file cannot be read."""


class FileTooLarge(IngestError):
    """The file, or the text extracted from it, is larger than the configured limit."""


class EmptyDocument(IngestError):
    """There is no text to index."""
