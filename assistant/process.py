"""Process-wide tuning a citechat entry point applies once, before it starts any thread."""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

# mallopt's parameter number for the most arenas glibc may create (malloc.h: M_ARENA_MAX).
_M_ARENA_MAX = -8


def limit_malloc_arenas(arenas: int) -> bool:
    """Cap glibc's malloc arenas at ``arenas`` (0 leaves glibc's default); returns whether it took effect.

    glibc gives threads that meet a busy arena one of their own, up to eight per core, and keeps what they
    free for reuse. A citechat process loads the model, the language identifier and the vector index on
    separate threads, and each load leaves its arena's peak behind: two arenas keep the chat server about
    45 MB smaller at 100k sentences (measured: bench/scale.py), at no measured cost in latency. Has no effect
    on other C libraries (musl, macOS), and only on arenas created after the call.
    """
    if arenas <= 0 or not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(_M_ARENA_MAX, arenas))
    except (OSError, AttributeError):  # not glibc: no mallopt, nothing to cap
        return False
