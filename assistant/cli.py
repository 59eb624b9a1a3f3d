"""The ``citechat`` command line: a thin layer over ingest, ``Assistant.answer`` and evaluation.

Every failure a user can cause or meet (bad input, a busy or unreachable store, Ctrl-C) ends in one line
on stderr and a non-zero exit code; ``--verbose`` shows the traceback of an unexpected error.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from assistant.config import Settings
from assistant.process import limit_malloc_arenas

logger = logging.getLogger(__name__)
INTERRUPTED = 130


def _known_errors() -> tuple[type[Exception], ...]:
    from assistant.errors import AssistantError
    from assistant.evaluation import QuestionSetError
    from ingest.errors import IngestError
    from store.errors import StoreError

    return (AssistantError, IngestError, StoreError, QuestionSetError)


def _fail(exc: BaseException) -> click.ClickException:
    return click.ClickException(str(exc).splitlines()[0] if str(exc) else type(exc).__name__)


def _notice(text: str) -> None:
    click.echo(text, err=True)


class _Group(click.Group):
    """Turns Ctrl-C and unexpected errors into one line (no "Aborted!", no traceback)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("citechat: interrupted; what was stored before is unchanged (run the command again to finish)",
                       err=True)
            ctx.exit(INTERRUPTED)
        except Exception as exc:
            if isinstance(exc, _known_errors()):
                raise _fail(exc) from exc
            if ctx.obj is not None and getattr(ctx, "meta", {}).get("verbose"):
                raise
            detail = str(exc).splitlines()[0] if str(exc) else ""
            raise click.ClickException(
                f"unexpected error: {type(exc).__name__}: {detail} (run with --verbose for the traceback)"
            ) from exc


@click.group(cls=_Group)
@click.option("-v", "--verbose", is_flag=True, help="Log progress details (and tracebacks) to stderr.")
@click.option("--llm", type=click.Choice(["none", "llamacpp", "openai", "ollama"]), default=None,
              help="Answer with this language model (default CITECHAT_LLM__PROVIDER, else none: extractive).")
@click.version_option(package_name="citechat")
@click.pass_context
def main(ctx: click.Context, verbose: bool, llm: str | None) -> None:
    """citechat: ask questions about a news article; every answer cites verbatim passages."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s")
    ctx.meta["verbose"] = verbose
    try:
        settings = Settings()
    except Exception as exc:  # pydantic ValidationError: a bad CITECHAT_* variable
        raise click.ClickException(f"invalid CITECHAT_* setting: {exc}".splitlines()[0]) from exc
    if llm is not None:
        settings = settings.model_copy(update={"llm": settings.llm.model_copy(update={"provider": llm})})
    limit_malloc_arenas(settings.malloc_arenas)  # before any thread: arenas made earlier stay
    ctx.obj = settings


def _assistant(settings: Settings):
    from assistant.answer import Assistant
    from assistant.wiring import open_seeded_store

    return Assistant(settings, store=open_seeded_store(settings, notice=_notice))


def _open_for_writing(settings: Settings, *, lazy: bool = True):
    """Open the store for ingest; an outdated store (older citechat, other model) comes back with a flag.

    ``lazy``: the weights load at the first sentence to embed; nothing new to embed, or another writer holding
    the lock, answers in about 3 s instead of 20. An evaluation asks questions next: it loads them now, so that
    no question's latency counts the loading.
    """
    from store import StoreOutdated, open_store
    from store.embeddings import load_embeddings

    embeddings = load_embeddings(settings.embedding, notice=_notice, lazy=lazy)
    store = open_store(settings.store, settings.embedding, embeddings=embeddings, check_model=False)
    try:
        store.check_model()
    except StoreOutdated as exc:
        return store, embeddings, str(exc)
    return store, embeddings, None


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--rebuild", is_flag=True, help="Re-embed every stored document into a new generation.")
@click.pass_obj
def ingest(settings: Settings, paths: tuple[Path, ...], rebuild: bool) -> None:
    """Ingest files or folders (.txt .md .html .pdf); the bundled article when no path is given.

    A store written by an older citechat or with another embedding model is re-embedded first (crash-safe:
    interrupted, the old store stays as it was and the next run resumes). Stored documents this release splits
    into other sentences are written again from their stored text.
    """
    from ingest import ingest_documents, load_bundled, load_sources, rebuild_store, resplit_stored

    documents, notices = load_sources(paths, limits=settings.ingest) if paths else ([load_bundled()], [])
    for line in notices:
        click.echo(f"note: {line}", err=True)
    store, embeddings, outdated = _open_for_writing(settings)
    if outdated or rebuild:
        count = len(store.documents()) if not store.legacy else "its"
        reason = "rebuilding" if rebuild and not outdated else "the store needs re-embedding"
        click.echo(f"{reason}: re-embedding {count} stored document(s) with {embeddings.name.split('@')[0]} "
                   "(the current store stays readable until this finishes)", err=True)
        report = rebuild_store(store, embeddings, documents if paths else [])
    else:
        report = ingest_documents(store, documents)
        resplit = resplit_stored(store, skip=[d.source for d in documents])
        if resplit.documents:
            click.echo(f"re-split by this release: {resplit.summary()}", err=True)
    click.echo(report.summary())


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the documents as JSON.")
@click.pass_obj
def sources(settings: Settings, as_json: bool) -> None:
    """List the stored documents with their sentence counts and languages."""
    from store import open_store

    docs = open_store(settings.store, settings.embedding, check_model=False,
                      embeddings=_NoModel()).documents()
    if as_json:
        click.echo(json.dumps([d.__dict__ for d in docs], ensure_ascii=False, indent=2))
        return
    if not docs:
        click.echo("no documents; run `citechat ingest PATH`")
    for doc in docs:
        click.echo(f"{doc.source}\t{_sentences(doc.sentence_count)}\t{doc.language}\t{doc.title}")


def _sentences(count: int) -> str:
    """ "1 sentence", "2 sentences": as a reader would write it."""
    return f"{count} sentence{'' if count == 1 else 's'}"


class _NoModel:
    """Listing and removing documents need no embedding model (and must not load one)."""

    name = ""
    dimension = 0


@main.command()
@click.argument("source")
@click.pass_obj
def remove(settings: Settings, source: str) -> None:
    """Remove a stored document (its source as listed by `citechat sources`, its title, or its path)."""
    from store import open_store

    store = open_store(settings.store, settings.embedding, check_model=False, embeddings=_NoModel())
    record = store.find(source)
    if record is None:
        raise click.ClickException(f"no stored document {source!r}; see `citechat sources`")
    removed = store.remove(record.source)
    click.echo(f"removed {record.source} ({_sentences(removed)})")


def _print_answer(answer, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
        return
    from assistant.render import shown_text
    from store.lang import strings

    for notice in answer.notices:
        click.echo(f"note: {notice}", err=True)
    if answer.unsure:
        click.echo(strings(answer.language)["unsure"])
    click.echo(shown_text(answer))
    if answer.retrieval_query != answer.question:
        click.echo(f"(searched for: {answer.retrieval_query})")
    for c in answer.citations:
        click.echo(f"  [{c.index}] {c.title or c.source} {c.start}-{c.end}: {c.text}")
    if answer.related is not None:
        c = answer.related
        click.echo(f"  related passage (not an answer): {c.title or c.source} {c.start}-{c.end}: {c.text}")


@main.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print Answer.to_dict() as JSON.")
@click.option("--k", type=click.IntRange(1, 10), default=None, help="Most passages to cite.")
@click.option("--source", "sources", multiple=True, help="Answer from this document only (repeatable).")
@click.pass_obj
def ask(settings: Settings, question: str | None, as_json: bool, k: int | None, sources: tuple[str, ...]) -> None:
    """Answer QUESTION; without one, start an interactive session (empty line or Ctrl-D quits)."""
    assistant = _assistant(settings)
    scope = list(sources) or None
    if question is not None:
        _print_answer(assistant.answer(question, k=k, sources=scope), as_json)
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
            result = assistant.answer(line, history, k=k, sources=scope)
        except _known_errors() as exc:
            click.echo(f"error: {str(exc).splitlines()[0]}", err=True)
            continue
        _print_answer(result, as_json)
        history.append((line, result.text))


@main.command(name="eval")
@click.argument("question_sets", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "json_out", type=click.Path(path_type=Path), help="Write the report as JSON.")
@click.option("--html", "html_out", type=click.Path(path_type=Path), help="Write a self-contained HTML report.")
@click.option("--k", type=click.IntRange(1, 10), default=None, help="Most passages to cite.")
@click.option("--fail-under", "bars", multiple=True,
              help="METRIC=VALUE (or TAG:METRIC=VALUE for one dataset); exit 1 when the run misses it.")
@click.option("--compare", "variants", multiple=True,
              help="section.field=value to run side by side, e.g. retrieval.mode=dense or "
                   "embedding.model=multilingual-e5-small.")
@click.option("--sample", type=int, default=None, help="Evaluate a fixed sample of this many documents per set.")
@click.pass_obj
def evaluate_command(settings: Settings, question_sets: tuple[Path, ...], json_out: Path | None,
                     html_out: Path | None, k: int | None, bars: tuple[str, ...], variants: tuple[str, ...],
                     sample: int | None) -> None:
    """Evaluate answers on question sets (JSONL, YAML or CSV) and print the metrics.

    Items that name a document (a path relative to the set) are answered from that document only; the
    document is ingested into the configured store first if it is not there.
    """
    from assistant.evaluation import missed_bars, parse_bar
    from assistant.report import render_html, render_table

    parsed_bars = [parse_bar(b) for b in bars]
    items, files = _load_sets(question_sets, sample)
    runs = [("default", settings), *_variants(settings, variants)]
    reports = [_run_variant(label, variant, items, files, k) for label, variant in runs]
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


def _load_sets(paths: Sequence[Path], sample: int | None):
    from assistant.evaluation import documents_of, load_question_set, sample_documents

    items, files = [], {}
    for path in paths:
        loaded = load_question_set(path)
        if sample:
            loaded = sample_documents(loaded, sample)
        named = documents_of(loaded, path.parent)
        # Documents are keyed by their resolved path, so two sets naming one file share it.
        for item in loaded:
            if item.document:
                key = str(named[item.document])
                files[key] = named[item.document]
                item = item.__class__(**{**item.__dict__, "document": key})
            items.append(item)
    return items, files


def _run_variant(label: str, settings: Settings, items, files: dict[str, Path], k: int | None):
    from assistant.answer import Assistant
    from assistant.evaluation import evaluate, load_evidence_check
    from ingest import ingest_documents, load_file

    if files:
        store, _, outdated = _open_for_writing(settings, lazy=False)
        if outdated:
            raise click.ClickException(outdated)
        documents = [load_file(path, limits=settings.ingest) for path in files.values()]
        report = ingest_documents(store, documents)
        if report.added:
            click.echo(f"{label}: {report.summary()}", err=True)
        sources = {key: doc.source for key, doc in zip(files, documents, strict=True)}
    else:
        store = _assistant(settings).store
        sources = {}
    assistant = Assistant(settings, store=store)
    load_evidence_check(items, assistant.store)
    from tqdm import tqdm

    with tqdm(total=len(items), desc=label, unit="q", disable=not sys.stderr.isatty(), leave=False) as bar:
        return evaluate(assistant, items, k=k, label=label, sources=sources, progress=bar.update)


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
                "--compare expects section.field=value, e.g. retrieval.mode=dense, retrieval.stages=low_score, "
                "embedding.model=multilingual-e5-small, or llm=PROVIDER"
            )
        try:
            updated = current.model_validate({**current.model_dump(), field: value})
        except Exception as exc:
            raise AssistantError(f"--compare {text}: {str(exc).splitlines()[-1].strip()}") from exc
        variant = settings.model_copy(update={section: updated})
        if section == "embedding" and field == "model" and value != settings.embedding.model:
            # Another model needs its own store: the documents are embedded again beside the default one.
            from store.embeddings import canonical_model

            path = settings.store.path.with_name(f"{settings.store.path.name}-{canonical_model(value)}")
            variant = variant.model_copy(update={"store": settings.store.model_copy(update={"path": path})})
        out.append((text, variant))
    return out


def _read_secret(value: str) -> str:
    """``--auth`` takes user:password, @FILE (first line of a file) or env:VAR (never the password in `ps`)."""
    if value.startswith("@"):
        path = Path(value[1:]).expanduser()
        try:
            return path.read_text(encoding="utf-8").splitlines()[0].strip()
        except (OSError, IndexError) as exc:
            raise click.ClickException(f"--auth {value}: cannot read user:password from {path}") from exc
    if value.startswith("env:"):
        found = os.environ.get(value[4:])
        if not found:
            raise click.ClickException(f"--auth {value}: the variable {value[4:]} is not set")
        return found
    return value


@main.command()
@click.option("--host", default=None, help="Interface to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 7860).")
@click.option("--auth", default=None,
              help="Require a login: @FILE (a file holding user:password), env:VAR, or user:password.")
@click.option("--share", is_flag=True, help="Also create a public Gradio share link (off by default).")
@click.option("--allow-unauthenticated", is_flag=True,
              help="Serve on a non-loopback interface without --auth (anyone on the network can use it).")
@click.pass_obj
def chat(settings: Settings, host: str | None, port: int | None, auth: str | None, share: bool,
         allow_unauthenticated: bool) -> None:
    """Serve the browser chat (http://127.0.0.1:7860 by default)."""
    from assistant.ui.security import check_exposure, parse_credentials

    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    overrides: dict = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    if auth is not None:
        overrides["auth"] = _read_secret(auth)
    if share:
        overrides["share"] = True
    settings = settings.model_copy(update={"ui": settings.ui.model_copy(update=overrides)})
    credentials = parse_credentials(settings.ui.auth)
    for line in check_exposure(settings.ui.host, credentials is not None, share=settings.ui.share,
                               allow_unauthenticated=allow_unauthenticated):
        click.echo(f"warning: {line}", err=True)
    from assistant.ui import serve

    assistant = _assistant(settings)
    click.echo(f"citechat chat on http://{settings.ui.host}:{settings.ui.port}")
    try:
        serve(settings, assistant=assistant)
    except OSError as exc:
        raise click.ClickException(f"cannot serve on {settings.ui.host}:{settings.ui.port}: {exc}") from exc


if __name__ == "__main__":
    main()
