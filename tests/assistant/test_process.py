"""Process-wide tuning: the malloc arena cap a citechat entry point applies before its threads start."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assistant.config import Settings

ROOT = Path(__file__).resolve().parents[2]

# Eight threads compress at once outside the GIL (zlib releases it and mallocs its buffers), so glibc
# meets busy arenas and makes new ones; malloc_stats() prints one "Arena n:" block per arena.
_ARENAS = r"""
import ctypes, os, sys, threading, zlib
sys.path.insert(0, ROOT)
from assistant.process import limit_malloc_arenas
print(limit_malloc_arenas(int(sys.argv[1])))
data = os.urandom(1 << 20)
def work():
    for _ in range(8):
        zlib.compress(data, 6)
threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
ctypes.CDLL("libc.so.6").malloc_stats()
"""


def arenas_used(cap: int) -> tuple[str, int]:
    done = subprocess.run([sys.executable, "-c", _ARENAS.replace("ROOT)", f"{str(ROOT)!r})"), str(cap)],
                          capture_output=True, text=True, check=True)
    return done.stdout.strip(), done.stderr.count("Arena ")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc only")
def test_the_cap_holds_threads_to_two_arenas_where_glibc_would_make_more():
    assert arenas_used(0)[0] == "False"
    took, capped = arenas_used(2)
    assert took == "True" and capped == 2
    assert arenas_used(0)[1] > 2  # without the cap the same work spreads over more arenas


def test_the_setting_defaults_to_two_and_zero_means_glibc_default(monkeypatch):
    assert Settings().malloc_arenas == 2
    monkeypatch.setenv("CITECHAT_MALLOC_ARENAS", "0")
    assert Settings().malloc_arenas == 0
