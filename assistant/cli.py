"""The ``citechat`` command line: a thin layer over ingest, ``Assistant.answer`` and evaluation."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from assistant.config import Settings

logger = logging.getLogger(__name__)


def _fail(exc: Exception) -> click.ClickException:
    return click.ClickException(str(exc))


def _known_errors() -> tuple[type[Exception], ...]:
    from assistant.errors import AssistantError
    from assistant.evaluation import QuestionSetError
    from ingest.errors import IngestError
    from store.errors import StoreError

    return (AssistantError, IngestError, StoreError, QuestionSetError)


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log progress details to stderr.")
@click.option("--llm", type=click.Choice(["none", "llamacpp", "openai", "ollama"]), default=None,
              help="Answer with this language model (default CITECHAT_LLM__PROVIDER, else none: extractive).")
@click.version_option(package_name="citechat")
@click.pass_context
def main(ctx: click.Context, verbose: bool, llm: str | None) -> None:
    """citechat: ask questions about a news article; every answer cites verbatim passages."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        settings = Settings()
    except Exception as exc:  # pydantic ValidationError: a bad CITECHAT_* variable
        raise click.ClickException(f"invalid CITECHAT_* setting: {exc}".splitlines()[0]) from exc
    if llm is not None:
        settings = settings.model_copy(update={"llm": settings.llm.model_copy(update={"provider": llm})})
    ctx.obj = settings


def _assistant(settings: Settings):
    from assistant.answer import Assistant

    return Assistant(settings)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Drop the collections and re-embed every stored document.")
@click.pass_obj
def ingest(settings: Settings, paths: tuple[Path, ...], rebuild: bool) -> None:
    """Ingest files or folders (.txt .md .html .pdf); the bundled article when no path is given."""
    from ingest import ingest_documents, load_bundled, load_sources, rebuild_store
    from store import StoreOutdated, open_store

    try:
        documents = load_sources(paths) if paths else [load_bundled()]
        store = None
        if not rebuild:
            try:
                store = open_store(settings.store, settings.embedding)
            except StoreOutdated:
                # Upgrading is lossless: the stored texts are re-embedded, so `make chat` keeps working.
                click.echo("the store was written by an older citechat: re-embedding its documents", err=True)
        if store is None:
            _, report = rebuild_store(settings.store, settings.embedding, documents if paths else [])
        else:
            report = ingest_documents(store, documents)
    except _known_errors() as exc:
        raise _fail(exc) from exc
    click.echo(report.summary())


@main.command()
@click.pass_obj
def sources(settings: Settings) -> None:
    """List the stored documents with their chunk counts."""
    from store import open_store

    try:
        docs = open_store(settings.store, settings.embedding).documents()
    except _known_errors() as exc:
        raise _fail(exc) from exc
    if not docs:
        click.echo("no documents; run `citechat ingest PATH`")
    for doc in docs:
        click.echo(f"{doc.source}\t{doc.chunk_count} chunks\t{doc.sentence_count} sentences\t{doc.title}")


@main.command()
@click.argument("source")
@click.pass_obj
def remove(settings: Settings, source: str) -> None:
    """Remove a stored document (its source as listed by `citechat sources`, or its path)."""
    from store import open_store

    try:
        store = open_store(settings.store, settings.embedding)
        known = {d.source for d in store.documents()}
        candidates = [source, str(Path(source).resolve())]
        match = next((c for c in candidates if c in known), None)
        if match is None:
            raise click.ClickException(f"no stored document {source!r}; see `citechat sources`")
        removed = store.remove(match)
    except _known_errors() as exc:
        raise _fail(exc) from exc
    click.echo(f"removed {match} ({removed} chunks)")


def _print_answer(answer, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return
    for notice in answer.notices:
        click.echo(f"note: {notice}", err=True)
    click.echo(answer.text)
    if answer.retrieval_query != answer.question:
        click.echo(f"(searched for: {answer.retrieval_query})")
    for c in answer.citations:
        click.echo(f"  [{c.index}] {c.source} {c.start}-{c.end}: {c.text}")
    if answer.related is not None:
        c = answer.related
        click.echo(f"  closest passage (not an answer): {c.source} {c.start}-{c.end}: {c.text}")


@main.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print Answer.to_dict() as JSON.")
@click.option("--k", type=click.IntRange(1, 10), default=None, help="Most passages to cite.")
@click.pass_obj
def ask(settings: Settings, question: str | None, as_json: bool, k: int | None) -> None:
    """Answer QUESTION; without one, start an interactive session (empty line or Ctrl-D quits)."""
    try:
        assistant = _assistant(settings)
        if question is not None:
            _print_answer(assistant.answer(question, k=k), as_json)
            return
        history: list[tuple[str, str]] = []
        click.echo("Ask about the article (French or English). Empty line to quit.")
        while True:
            try:
                line = input("> ")
            except EOFError:
                break
            if not line.strip():
                break
            try:
                result = assistant.answer(line, history, k=k)
            except _known_errors() as exc:
                click.echo(f"error: {exc}", err=True)
                continue
            _print_answer(result, as_json)
            history.append((line, result.text))
    except _known_errors() as exc:
        raise _fail(exc) from exc


@main.command(name="eval")
@click.argument("question_set", type=click.Path(path_type=Path))
@click.option("--json", "json_out", type=click.Path(path_type=Path), help="Write the report as JSON.")
@click.option("--html", "html_out", type=click.Path(path_type=Path), help="Write a self-contained HTML report.")
@click.option("--k", type=click.IntRange(1, 10), default=None, help="Most passages to cite.")
@click.option("--fail-under", "bars", multiple=True, help="METRIC=VALUE; exit 1 when the run misses it.")
@click.option("--compare", "variants", multiple=True, help="key=value retrieval setting to compare, e.g. mode=dense.")
@click.pass_obj
def evaluate_command(settings: Settings, question_set: Path, json_out: Path | None, html_out: Path | None,
                     k: int | None, bars: tuple[str, ...], variants: tuple[str, ...]) -> None:
    """Evaluate answers on a question set (JSONL, YAML or CSV) and print the metrics."""
    from assistant.evaluation import evaluate, load_question_set, missed_bars, parse_bar
    from assistant.report import render_html, render_table

    try:
        parsed_bars = [parse_bar(b) for b in bars]
        assistant = _assistant(settings)
        texts = [assistant.store.document_text(d.doc_id) for d in assistant.store.documents()]
        items = load_question_set(question_set, document_texts=texts)
        reports = []
        for label, variant in [("default", settings), *_variants(settings, variants)]:
            runner = assistant if variant is settings else _with_settings(assistant, variant)
            reports.append(_run(evaluate, runner, items, k, label))
    except _known_errors() as exc:
        raise _fail(exc) from exc
    click.echo(render_table(reports))
    if json_out:
        payload = reports[0].to_dict() if len(reports) == 1 else [r.to_dict() for r in reports]
        json_out.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    if html_out:
        html_out.write_text(render_html(reports), encoding="utf-8")
    missed = missed_bars(reports[0], parsed_bars)
    for line in missed:
        click.echo(f"FAIL {line}", err=True)
    if missed:
        sys.exit(1)


def _run(evaluate, assistant, items, k, label):
    from tqdm import tqdm

    with tqdm(total=len(items), desc=label, unit="q", disable=not sys.stderr.isatty(), leave=False) as bar:
        return evaluate(assistant, items, k=k, label=label, progress=bar.update)


def _variants(settings: Settings, variants: tuple[str, ...]) -> list[tuple[str, Settings]]:
    from assistant.errors import AssistantError

    out = []
    for text in variants:
        key, sep, value = text.partition("=")
        section, _, field = key.rpartition(".") if "." in key else ("retrieval", "", key)
        if key == "llm":
            section, field = "llm", "provider"
        current = getattr(settings, section, None)
        if not sep or current is None or field not in type(current).model_fields:
            raise AssistantError(
                f"--compare expects key=value: a retrieval setting ({', '.join(settings.retrieval.model_fields)}),"
                " llm=PROVIDER, or section.field=value"
            )
        updated = current.model_validate({**current.model_dump(), field: value})
        out.append((text, settings.model_copy(update={section: updated})))
    return out


def _with_settings(assistant, settings: Settings):
    from assistant.answer import Assistant

    return Assistant(settings, store=assistant.store)


@main.command()
@click.option("--host", default=None, help="Interface to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 7860).")
@click.option("--auth", default=None, help="user:password required to use the chat.")
@click.option("--share", is_flag=True, help="Also create a public Gradio share link (off by default).")
@click.pass_obj
def chat(settings: Settings, host: str | None, port: int | None, auth: str | None, share: bool) -> None:
    """Serve the browser chat (http://127.0.0.1:7860 by default)."""
    import os

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    overrides = {k: v for k, v in {"host": host, "port": port, "auth": auth}.items() if v is not None}
    if share:
        overrides["share"] = True
    if auth is not None and ":" not in auth:
        raise click.ClickException("--auth expects user:password")
    settings = settings.model_copy(update={"ui": settings.ui.model_copy(update=overrides)})
    from assistant.ui import serve

    try:
        assistant = _assistant(settings)
        click.echo(f"citechat chat on http://{settings.ui.host}:{settings.ui.port}")
        serve(settings, assistant=assistant)
    except _known_errors() as exc:
        raise _fail(exc) from exc
    except OSError as exc:
        raise click.ClickException(f"cannot serve on {settings.ui.host}:{settings.ui.port}: {exc}") from exc


if __name__ == "__main__":
    main()
