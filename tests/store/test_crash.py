"""Nothing lost, nothing wrong: kill -9 and Ctrl-C at chosen steps of re-ingest and rebuild, two writers.

Each test runs the real ``citechat`` in a subprocess, stops it at a named step (``CITECHAT_PAUSE_AT``),
kills it, and checks the store: every document still there, every citation ``text[start:end] == quote``,
no orphan or stale rows once the next writer has run, and the next run repairs what was left half-done.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest

from ingest import ingest_documents, load_bundled, load_file
from store import open_store
from tests.conftest import CITECHAT, cli_env
from tests.store.test_vectorstore import chroma_rows, every_citation_is_verbatim

pytestmark = pytest.mark.slow


def start_paused(settings, args: list[str], step: str) -> subprocess.Popen:
    """Start ``citechat ARGS`` and wait until it stops at ``step``."""
    env = cli_env(settings, CITECHAT_PAUSE_AT=step, PYTHONFAULTHANDLER="1")  # stacks on SIGABRT (see below)
    # A job a shell starts in the background (`make test &`, nohup) ignores SIGINT, its children inherit that,
    # and Python then raises no KeyboardInterrupt: give citechat the Ctrl-C a terminal would.
    process = subprocess.Popen([str(CITECHAT), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 240
    seen = []
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        seen.append(line)
        if f"paused at {step}" in line:
            return process
        if not line and process.poll() is not None:
            break
    process.kill()
    raise AssertionError(f"citechat never reached {step}: {''.join(seen)[-2000:]}")


def run(settings, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(CITECHAT), *args], env=cli_env(settings), capture_output=True, text=True, timeout=600)


# Short on purpose: every write below re-embeds these in a subprocess, and what is checked (versions, rows,
# offsets) does not depend on length. Accents, a quotation and a paragraph break keep the offsets honest.
FIRST = ("Le Premier ministre a visité l'usine d'Hô-Chi-Minh-Ville lundi. « Nous produirons deux fois plus », "
         "a-t-il déclaré.\n\nLa visite a duré trois heures.")


@pytest.fixture
def two_documents(fresh_settings, fresh_store, tmp_path):
    first = tmp_path / "premier.txt"
    first.write_text(FIRST, encoding="utf-8")
    path = tmp_path / "article.txt"
    path.write_text("Le premier texte parle de drones. Il en compte cinq.\n\nUn second paragraphe suit.",
                    encoding="utf-8")
    ingest_documents(fresh_store, [load_file(first), load_file(path)], show_progress=False)
    return path


def reopened(settings, embeddings):
    return open_store(settings.store, settings.embedding, embeddings=embeddings)


@pytest.mark.parametrize("step", ["rows-written", "committed"])
def test_kill_during_a_reingest_keeps_one_consistent_version(fresh_settings, embeddings, two_documents, step):
    two_documents.write_text("Le texte a changé : il parle maintenant de chars. Trois chars.", encoding="utf-8")
    process = start_paused(fresh_settings, ["ingest", str(two_documents)], step)
    process.send_signal(signal.SIGKILL)
    process.wait()
    store = reopened(fresh_settings, embeddings)
    texts = {d.source: store.document_text(d.doc_id) for d in store.documents()}
    assert len(texts) == 2  # nothing lost
    changed = texts[str(two_documents.resolve())]
    assert ("chars" in changed) == (step == "committed")  # killed before the switch: the old version stays
    assert every_citation_is_verbatim(store)
    again = run(fresh_settings, "ingest", str(two_documents))  # the next writer repairs
    assert again.returncode == 0, again.stderr
    store = reopened(fresh_settings, embeddings)
    assert all(len(ids) == 1 for ids in chroma_rows(store).values())  # no stale or orphan rows
    assert set(chroma_rows(store)) == {d.doc_id for d in store.documents()}
    assert "chars" in store.document_text(store.find(str(two_documents)).doc_id)
    assert every_citation_is_verbatim(store)


def test_ctrl_c_during_a_rebuild_keeps_the_old_store_and_the_rerun_resumes(fresh_settings, embeddings, two_documents):
    generation = reopened(fresh_settings, embeddings).generation
    process = start_paused(fresh_settings, ["ingest", "--rebuild"], "rows-written")
    process.send_signal(signal.SIGINT)
    try:
        _, stderr = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        # It takes about 3 s. SIGABRT makes faulthandler print every thread's stack, so a hang says where.
        process.send_signal(signal.SIGABRT)
        _, stderr = process.communicate()
        pytest.fail(f"citechat did not exit within 60 s of Ctrl-C; its threads:\n{stderr[-8000:]}")
    assert process.returncode != 0
    assert "Traceback" not in stderr and "Aborted!" not in stderr
    assert "interrupted" in stderr and len([line for line in stderr.splitlines() if line.strip()]) <= 3
    store = reopened(fresh_settings, embeddings)
    assert store.generation == generation and len(store.documents()) == 2  # the old store, intact
    assert every_citation_is_verbatim(store)
    finished = run(fresh_settings, "ingest", "--rebuild")
    assert finished.returncode == 0, finished.stderr
    store = reopened(fresh_settings, embeddings)
    assert store.generation != generation and len(store.documents()) == 2
    assert every_citation_is_verbatim(store)


def test_kill_after_a_rebuild_switched_still_cleans_up(fresh_settings, embeddings, two_documents):
    process = start_paused(fresh_settings, ["ingest", "--rebuild"], "rebuild-switched")
    process.send_signal(signal.SIGKILL)
    process.wait()
    store = reopened(fresh_settings, embeddings)
    assert len(store.documents()) == 2 and every_citation_is_verbatim(store)
    cleanup = run(fresh_settings, "--verbose", "ingest", str(two_documents))
    assert cleanup.returncode == 0, cleanup.stderr
    assert "loading the embedding model" not in cleanup.stderr  # nothing to embed: the cleanup alone, in a second
    store = reopened(fresh_settings, embeddings)
    generations = {n.split("-g")[1].split("-")[0] for n in store._collection_names() if "-g" in n}
    assert generations == {str(store.generation)}  # the old generation was dropped by the next writer


def test_a_second_writer_gets_one_clear_line(fresh_settings, two_documents):
    process = start_paused(fresh_settings, ["ingest", str(two_documents), "--rebuild"], "rows-written")
    try:
        second = run(fresh_settings, "ingest")
        assert second.returncode == 1
        assert "another ingest is running" in second.stderr and "Traceback" not in second.stderr
        assert len(second.stderr.strip().splitlines()) == 1
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()


def test_a_chat_process_answers_from_a_document_another_process_ingests(fresh_settings, fresh_store, tmp_path):
    from assistant import Assistant

    ingest_documents(fresh_store, [load_bundled()], show_progress=False)
    chat = Assistant(fresh_settings, store=fresh_store)
    assert not chat.answer("Quelle fusée a décollé de Baïkonour ?").grounded
    path = tmp_path / "fusee.txt"
    path.write_text("La fusée Soyouz a décollé de Baïkonour avec trois astronautes à bord.", encoding="utf-8")
    assert run(fresh_settings, "ingest", str(path)).returncode == 0
    started = time.monotonic()
    while time.monotonic() - started < 5:
        found = chat.answer("Quelle fusée a décollé de Baïkonour ?")
        if found.grounded:
            break
        time.sleep(0.5)
    assert found.grounded and "Soyouz" in found.text  # within 5 s, without a restart
    # A rebuild in another process fails no question, while it runs and after it switched.
    generation = fresh_store.generation
    rebuild = subprocess.Popen([str(CITECHAT), "ingest", "--rebuild"], env=cli_env(fresh_settings),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    asked = 0
    while rebuild.poll() is None:
        assert chat.answer("Quels cadeaux Kim a-t-il reçus ?").grounded
        asked += 1
    assert rebuild.returncode == 0, rebuild.stderr.read()
    assert asked > 0
    fresh_store.refresh(force=True)
    assert fresh_store.generation != generation  # the chat now reads the new generation...
    assert chat.answer("Quels cadeaux Kim a-t-il reçus ?").grounded
    assert chat.answer("Quelle fusée a décollé de Baïkonour ?").grounded  # ...with both documents


@pytest.mark.server
def test_a_chroma_server_dying_during_an_ingest_is_one_line_and_the_next_run_repairs(settings_for, embeddings,
                                                                                     tmp_path):
    from tests.conftest import start_chroma_server

    data = tmp_path / "server"
    data.mkdir()
    server, port = start_chroma_server(data)
    settings = settings_for(tmp_path / "unused", host="127.0.0.1", port=port, collection="dying")
    first = tmp_path / "premier.txt"
    first.write_text(FIRST, encoding="utf-8")
    ingest_documents(open_store(settings.store, settings.embedding, embeddings=embeddings), [load_file(first)],
                     show_progress=False)
    article = tmp_path / "article.txt"
    article.write_text("Un article. Il parle de drones. Il en compte cinq.", encoding="utf-8")
    resume = tmp_path / "resume"
    process = subprocess.Popen([str(CITECHAT), "ingest", str(article)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=cli_env(settings, CITECHAT_PAUSE_AT="rows-written",
                                                      CITECHAT_RESUME_WHEN=str(resume)))
    while "paused at rows-written" not in process.stderr.readline():
        assert process.poll() is None, "citechat never reached rows-written"
    server.kill()  # the server dies in the middle of the write
    server.wait()
    resume.touch()
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 1
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and f"http://127.0.0.1:{port}" in lines[0] and "Traceback" not in stderr
    server, port = start_chroma_server(data)  # back up on the same data
    try:
        settings = settings_for(tmp_path / "unused", host="127.0.0.1", port=port, collection="dying")
        again = run(settings, "ingest", str(article))
        assert again.returncode == 0, again.stderr
        store = open_store(settings.store, settings.embedding)
        assert len(store.documents()) == 2 and every_citation_is_verbatim(store)
        assert all(len(ids) == 1 for ids in chroma_rows(store).values())
    finally:
        server.terminate()
        server.wait(timeout=30)
