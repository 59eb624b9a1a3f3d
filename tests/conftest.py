"""Shared fixtures: a clean environment, the real embedding model and a real Chroma index, built once."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["ANONYMIZED_TELEMETRY"] = "False"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "tests" / "data" / "questions.jsonl"
CITECHAT = Path(sys.executable).with_name("citechat")


# `make test` runs the files on two workers (pytest-xdist, --dist loadfile), which take them in collection
# order: the slowest go first, or one of them started last keeps a worker busy for minutes while the other idles.
SLOWEST_FIRST = ("tests/store/test_crash.py", "tests/store/test_vectorstore.py", "tests/assistant/test_answer.py",
                 "tests/ingest/test_pipeline.py", "tests/assistant/test_ui.py")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    rank = {path: number for number, path in enumerate(SLOWEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))  # stable: the rest as collected


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's CITECHAT_* settings."""
    for name in list(os.environ):
        if name.startswith("CITECHAT_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def model_cache() -> Path:
    """The user's model cache: EmbeddingGemma is fetched, verified and assembled there once per machine."""
    from store.config import default_cache_dir

    return default_cache_dir()


@pytest.fixture(scope="session")
def embedding_settings(model_cache: Path):
    from store import EmbeddingSettings

    return EmbeddingSettings(cache_dir=model_cache)


@pytest.fixture(scope="session")
def embeddings(embedding_settings):
    """The real default embedding model (EmbeddingGemma-300M), loaded once per session."""
    from store.embeddings import load_embeddings

    return load_embeddings(embedding_settings)


@pytest.fixture(scope="session")
def settings_for(embedding_settings, tmp_path_factory):
    """Build full Settings around a store directory (a server store keeps its lexicon in a temp cache)."""
    from assistant import Settings
    from store import StoreSettings

    cache = tmp_path_factory.mktemp("store-cache")

    def build(path: Path, **store_fields) -> Settings:
        store = StoreSettings(path=path, cache_dir=cache, **store_fields)
        return Settings(store=store, embedding=embedding_settings)

    return build


@pytest.fixture(scope="session")
def session_settings(tmp_path_factory, settings_for):
    return settings_for(tmp_path_factory.mktemp("index") / "chroma")


@pytest.fixture(scope="session")
def seeded_store(session_settings, embeddings):
    """The bundled article ingested into a real Chroma directory, once per session (read-only)."""
    from ingest import ensure_bundled
    from store import open_store

    store = open_store(session_settings.store, session_settings.embedding, embeddings=embeddings)
    ensure_bundled(store)
    return store


@pytest.fixture(scope="session")
def assistant(session_settings, seeded_store):
    from assistant import Assistant

    return Assistant(session_settings, store=seeded_store)


@pytest.fixture
def fresh_settings(tmp_path, settings_for):
    return settings_for(tmp_path / "chroma")


@pytest.fixture
def fresh_store(fresh_settings, embeddings):
    """An empty store of its own, for tests that write."""
    from store import open_store

    return open_store(fresh_settings.store, fresh_settings.embedding, embeddings=embeddings)


@pytest.fixture(scope="session")
def bundled_text() -> str:
    from ingest import load_bundled

    return load_bundled().text


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, *, seconds: float, what: str) -> None:
    """Wait until ``process`` accepts connections on loopback ``port``; fail if it exits or times out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"{what} exited with code {process.returncode}") from None
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"{what} did not start in {seconds:.0f} s")


def start_chroma_server(data: Path) -> tuple[subprocess.Popen, int]:
    """A real `chroma run` server on a free loopback port, storing in ``data``."""
    port = free_port()
    chroma = Path(sys.executable).with_name("chroma")
    log = open(data / "server.log", "a")  # noqa: SIM115 - the process owns it
    process = subprocess.Popen(
        [str(chroma), "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        wait_for_port(port, process, seconds=60, what="chroma run")
    except RuntimeError as exc:
        raise RuntimeError(f"{exc}\n{(data / 'server.log').read_text()}") from None
    return process, port


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real `chroma run` server on a free loopback port, for the session."""
    data = tmp_path_factory.mktemp("chroma-server")
    process, port = start_chroma_server(data)
    yield port
    process.terminate()
    process.wait(timeout=20)


def cli_env(settings, **extra: str) -> dict[str, str]:
    """Environment for running ``citechat`` in a subprocess against ``settings``' store and model cache."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITECHAT_")}
    env.update({
        "CITECHAT_STORE__PATH": str(settings.store.path),
        "CITECHAT_STORE__CACHE_DIR": str(settings.store.cache_dir),
        "CITECHAT_EMBEDDING__CACHE_DIR": str(settings.embedding.cache_dir),
        "CITECHAT_STORE__COLLECTION": settings.store.collection,
        "CITECHAT_STORE__LOCK_SECONDS": "2",
        "HF_HUB_OFFLINE": "1",
    })
    if settings.store.host:
        env["CITECHAT_STORE__HOST"] = settings.store.host
        env["CITECHAT_STORE__PORT"] = str(settings.store.port)
    env.update(extra)
    return env
