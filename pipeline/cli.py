"""The ``newsmine`` command line. Each command mirrors a Python API in the package."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from pathlib import Path

import click

from pipeline import __version__

DEFAULT_DB = "newsmine.db"


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _printable(text: str) -> str:
    """Text for a terminal: control characters (escape sequences) become U+FFFD, never sent raw."""
    return _CONTROL.sub("\ufffd", text)


def fail(message: str) -> None:
    """One-line error, non-zero exit, no traceback."""
    raise click.ClickException(message)


def _open(db_path: str, readonly: bool = False):
    """Open the database; ``readonly``: an existing newsmine database (never created, never changed)."""
    from pipeline.store import StoreError, open_db

    try:
        db = open_db(db_path, readonly=readonly)
    except StoreError as err:
        fail(str(err))
    if readonly:
        _require_newsmine_tables(db, db_path)
    return db


def _require_newsmine_tables(db, db_path: str) -> None:
    if "articles" not in db.table_names():
        fail(f"database {db_path} has no newsmine tables (not a newsmine database; "
             f"`newsmine run --db {db_path}` creates one)")


def _open_existing(db_path: str):
    """Open an existing newsmine database for writing (upgraded in place): a command that reads a
    database never creates one, nor adds newsmine tables to another SQLite file."""
    _open(db_path, readonly=True).conn.close()  # a missing file: "does not exist", from open_db
    return _open(db_path)


def _load_model(model: str | None):
    from pipeline.nlp.model import ModelError, load

    try:
        return load(model)
    except ModelError as err:
        fail(str(err))


def _emit(rows: list[dict], fmt: str) -> None:
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("(no rows)", err=True)
        return
    columns = list(rows[0].keys())
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
        click.echo(buf.getvalue(), nl=False)
        return

    def cell(v: object, column: str) -> str:
        if v is None:
            s = ""
        elif isinstance(v, float):
            s = _euros(v) if column.endswith("_eur") else _german_number(v)
        else:
            s = str(v)
        s = _printable(s.replace("\n", " "))
        return s if len(s) <= 60 else s[:59] + "…"

    table = [[cell(r.get(c), c) for c in columns] for r in rows]
    widths = [max(len(c), *(len(row[i]) for row in table)) for i, c in enumerate(columns)]
    click.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths)))
    click.echo("  ".join("-" * w for w in widths))
    for row in table:
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths)))


def _german_number(value: float) -> str:
    """A number as German texts write it, for tables: ``5.500.000.000,00`` (JSON and CSV keep the number)."""
    return f"{value:,.2f}".translate(str.maketrans(",.", ".,"))


def _euros(value: float) -> str:
    """An amount of euros for tables: ``5.500.000.000,00 €``."""
    return f"{_german_number(value)} €"


format_option = click.option("--json", "fmt", flag_value="json", help="Output JSON.")
csv_option = click.option("--csv", "fmt", flag_value="csv", help="Output CSV.")
db_option = click.option("--db", "db_path", default=DEFAULT_DB, show_default=True,
                         type=click.Path(dir_okay=False), help="SQLite database file.")
model_option = click.option("--model", default=None, metavar="NAME_OR_PATH",
                            help="spaCy pipeline (default: the shipped models/de_news).")


def database_error_message(err: Exception) -> str:
    """One line for an SQLite error that reached a command (disk full, read-only file, corrupt file)."""
    text = " ".join(str(err).split()) or type(err).__name__
    hints = {
        "database or disk is full": "free disk space and run again: what was committed is kept "
                                    "and a run resumes where it stopped",
        "attempt to write a readonly database": "the database is read-only here; use a command that only "
                                                "reads, or a writable copy",
        "unable to open database file": "check that the file and its folder exist and are readable",
        "file is not a database": "this is not a newsmine (SQLite) database",
        "database disk image is malformed": "the file is damaged; restore a copy",
    }
    hint = next((h for key, h in hints.items() if key in text), None)
    return f"database error: {text}" + (f" ({hint})" if hint else "")


class _Commands(click.Group):
    """The command group: an SQLite error in any command ends in one line and exit 1, never a traceback."""

    def invoke(self, ctx: click.Context):
        import sqlite3

        try:
            return super().invoke(ctx)
        except sqlite3.Error as err:
            raise click.ClickException(database_error_message(err)) from err


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="newsmine")
def cli() -> None:
    """newsmine: people, places, organisations and euro amounts in German regional news.

    sources -> fetch -> extract -> nlp -> store -> review
    """


@cli.command()
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False),
              help="Sources config (TOML). Default: the bundled demo site, served on 127.0.0.1.")
@db_option
@model_option
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes for extraction and NLP (this process writes); up to one per core.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def run(config_path: str | None, db_path: str, model: str | None, workers: int, quiet: bool) -> None:
    """Fetch, extract, recognise and store articles.

    \b
    Examples:
      newsmine run                         # the bundled demo corpus -> newsmine.db
      newsmine run --config sources.toml --db nrw.db
    """
    from pipeline import run as runner
    from pipeline.sources import SourceConfigError, load_sources

    sources = None
    if config_path:  # a bad config (or model) fails before the database is created
        try:
            sources = load_sources(config_path)
        except SourceConfigError as err:
            fail(str(err))
    nlp = _load_model(model)
    db = _open(db_path)
    bar = None
    show_progress = not quiet and sys.stderr.isatty()  # no bare "Articles" line in a log or a pipe

    def progress(stage: str, done: int, total: int) -> None:
        nonlocal bar
        if not show_progress or total == 0:
            return
        if bar is None:
            bar = click.progressbar(length=total, label="Articles", file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        if sources is not None:
            stats = runner.run(db, sources, nlp, config_label=str(config_path),
                               base_dir=Path(config_path).parent, progress=progress, n_process=workers)
        else:
            with runner.serve_directory(runner.DEMO_SITE, runner.DEMO_PORT) as base:
                stats = runner.run(db, runner.demo_sources(base), nlp, config_label="demo",
                                   progress=progress, n_process=workers,
                                   mirror=(base, runner.DEMO_PUBLIC_BASE))
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    _print_summary(db, stats)
    if stats.all_sources_failed:
        fail(f"run failed: {'the source' if stats.sources == 1 else f'all {stats.sources} sources'} "
             "failed, nothing listed or fetched (errors above)")


def _print_summary(db, stats) -> None:
    from pipeline.store import summary

    s = summary(db)
    failures = stats.source_errors + stats.fetch_errors + stats.extract_errors
    failed_sources = f"; {len(stats.failed_sources)} of {stats.sources} sources failed" if stats.failed_sources else ""
    click.echo(f"run: {stats.discovered} listed, {stats.fetched} fetched, {stats.not_modified} unchanged, "
               f"{stats.articles_written} articles written, {failures} failures "
               f"({stats.source_errors} source, {stats.fetch_errors} fetch, {stats.extract_errors} extract)"
               f"{failed_sources}")
    click.echo(f"database: {s['articles']} articles; {s['entities']} entities; "
               f"mentions: PER {s.get('mentions_PER', 0)}, LOC {s.get('mentions_LOC', 0)}, "
               f"ORG {s.get('mentions_ORG', 0)}; {s['money']} money amounts")
    if len(stats.errors) > 10:
        click.echo(f"  ({len(stats.errors)} errors, the first 10:)", err=True)
    for err in stats.errors[:10]:
        click.echo(f"  failed: {err}", err=True)
    for note in stats.notes[:10]:
        click.echo(f"  note: {note}", err=True)


@cli.command()
@db_option
@model_option
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes for extraction and NLP (this process writes); up to one per core.")
def reextract(db_path: str, model: str | None, workers: int) -> None:
    """Re-run extraction and NLP on the stored HTML, without fetching."""
    from pipeline import run as runner
    from pipeline.nlp.model import model_info

    db = _open_existing(db_path)
    nlp = _load_model(model)
    stats = runner.RunStats()
    runner.process_pending(db, nlp, model_info(nlp).tag, stats, force=True, n_process=workers)
    _print_summary(db, stats)


@cli.command()
@model_option
@click.option("--batch-size", default=32, show_default=True, type=click.IntRange(1, 10_000))
def annotate(model: str | None, batch_size: int) -> None:
    """Annotate JSON Lines from stdin: {"id", "text"} -> {"id", "entities", "money"}.

    \b
    Example:
      echo '{"id": 1, "text": "OB Sören Link (SPD) gab 2,5 Mio. Euro frei."}' | newsmine annotate
    """
    from pipeline.annotate import annotate_lines, output_line

    nlp = _load_model(model)
    errors = 0

    def on_error(msg: str) -> None:
        nonlocal errors
        errors += 1
        click.echo(f"newsmine annotate: {msg}", err=True)

    for obj in annotate_lines(nlp, sys.stdin.buffer, batch_size=batch_size, on_error=on_error):  # bytes: bad UTF-8 is a line error
        line, error = output_line(obj)
        if error:
            on_error(error)
        sys.stdout.write(line + "\n")
    sys.stdout.flush()
    if errors:
        sys.exit(1)


@cli.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--url", default=None, help="URL the page was fetched from.")
@click.option("--json", "as_json", is_flag=True, help="Print the full result as JSON.")
def extract(file: str, url: str | None, as_json: bool) -> None:
    """Extract title, text, date, authors and agencies from an HTML file.

    \b
    Example:
      newsmine extract corpus/demo/site/articles/dortmund/dortmund-plant-mit-defizit-von-39-4-millionen-euro-e01.html --json
    """
    from pipeline.extract import extract as do_extract

    result = do_extract(Path(file).read_bytes(), url)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        byline = ", ".join(result.authors + result.agencies)
        click.echo(f"# {result.title or '(no title)'}\n{result.published or ''} {byline}\n")
        click.echo(result.text)
        click.echo(f"\n[{result.method}; {'; '.join(result.warnings) or 'no warnings'}]", err=True)


@cli.group()
def query() -> None:
    """Ask the database: people, places, orgs, money, quotes, search, article, entity."""


def _entity_command(kind: str):
    @query.command(name=kind)
    @db_option
    @click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 100_000))
    @click.option("--name", default=None, help="Only names containing this text.")
    @format_option
    @csv_option
    def _cmd(db_path: str, limit: int, name: str | None, fmt: str | None, role: bool = False) -> None:
        from pipeline import query as q

        db = _open(db_path, readonly=True)
        rows = q.people_with_roles(db, limit, name) if role else q.top_entities(db, q.LABEL_OF[kind], limit, name)
        _emit(rows, fmt or "table")

    if kind == "people":
        _cmd = click.option("--role", is_flag=True, help="Show roles, parties and affiliations.")(_cmd)

    _cmd.__doc__ = f"Most mentioned {kind}.\n\n    Example: newsmine query {kind} --limit 10"
    _cmd.help = _cmd.__doc__
    return _cmd


for _kind in ("people", "places", "orgs"):
    _entity_command(_kind)


@query.command(name="money")
@db_option
@click.option("--min", "minimum", type=float, default=None, help="Only amounts of at least this many euros.")
@click.option("--year", type=int, default=None, help="Only amounts whose sentence (or article) names this year.")
@click.option("--article", "article_id", type=int, default=None)
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000))
@format_option
@csv_option
def query_money(db_path: str, minimum: float | None, year: int | None, article_id: int | None,
                limit: int, fmt: str | None) -> None:
    """Euro amounts, largest first.

    Example: newsmine query money --min 1000000 --year 2026
    """
    from pipeline import query as q

    _emit(q.money(_open(db_path, readonly=True), minimum=minimum, year=year,
                  article_id=article_id, limit=limit), fmt or "table")


@query.command(name="quotes")
@db_option
@click.option("--speaker", default=None, help="Only quotes by speakers whose name contains this.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000))
@format_option
@csv_option
def query_quotes(db_path: str, speaker: str | None, limit: int, fmt: str | None) -> None:
    """Direct quotes and who said them.

    Example: newsmine query quotes --speaker Krumpholz
    """
    from pipeline import query as q

    _emit(q.quotes(_open(db_path, readonly=True), speaker, limit), fmt or "table")


@query.command(name="search")
@click.argument("term")
@db_option
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 100_000))
@format_option
@csv_option
def query_search(term: str, db_path: str, limit: int, fmt: str | None) -> None:
    """Full-text search in titles and texts (matches inside compounds).

    Example: newsmine query search dezernent
    """
    from pipeline import query as q

    if not term.strip():
        fail("give a search term: an empty TERM would match every article")
    _emit(q.search(_open(db_path, readonly=True), term, limit), fmt or "table")


@query.command(name="article")
@click.argument("article_id", type=int)
@db_option
@format_option
def query_article(article_id: int, db_path: str, fmt: str | None) -> None:
    """One article with its entities and amounts.

    Example: newsmine query article 1 --json
    """
    from pipeline import query as q

    row = q.article(_open(db_path, readonly=True), article_id)
    if row is None:
        fail(f"no article with id {article_id}")
    if fmt == "json":
        click.echo(json.dumps(row, ensure_ascii=False, indent=2))
        return
    click.echo(_printable(f"# {row['title']}\n{row['url']}  {row['published'] or ''}\n"))
    click.echo(_printable(row["text"] or ""))
    click.echo("")
    _emit(row["entities"] + [{"start": m["start"], "end": m["end"], "label": "MONEY", "text": m["text"],
                              "entity": _euros(m["value_eur"]) if m["value_eur"] is not None else None} for m in row["money"]], "table")


@query.command(name="entity")
@click.argument("name")
@db_option
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 100_000))
@format_option
@csv_option
def query_entity(name: str, db_path: str, limit: int, fmt: str | None) -> None:
    """Entities matching NAME: mentions, aliases, co-occurring entities, first/last seen.

    Example: newsmine query entity Krumpholz
    """
    from pipeline import query as q

    if not name.strip():
        fail("give a name (or part of one): an empty NAME would match every entity")
    _emit(q.entity(_open(db_path, readonly=True), name, limit), fmt or "table")


@cli.command()
@db_option
@click.option("--port", default=8001, show_default=True, type=click.IntRange(1, 65535))
@click.option("--open", "open_browser", is_flag=True, help="Open a browser.")
@click.option("--read-only", is_flag=True, help="No write token: corrections cannot be recorded.")
def serve(db_path: str, port: int, open_browser: bool, read_only: bool) -> None:
    """Review the database in Datasette on 127.0.0.1: articles with highlighted entities,
    entity pages, canned queries, the places map, corrections.

    Prints a fresh write token: log in with it at /-/newsmine/login (or send it as
    `Authorization: Bearer TOKEN`) to record corrections. Without it the server is read-only.
    The Datasette metadata is written to ~/.cache/newsmine/serve-PORT.json (under $XDG_CACHE_HOME
    when set), overwritten by each start on that port.

    \b
    Example:
      newsmine serve --db newsmine.db --port 8001
    """
    import os
    import secrets
    from importlib.metadata import entry_points

    from pipeline.review import TOKEN_ENV, write_metadata

    if not Path(db_path).exists():
        fail(f"database {db_path} does not exist (run `newsmine run` first)")
    if not any(ep.value == "pipeline.review_plugin" for ep in entry_points(group="datasette")):
        fail("the newsmine Datasette plugin is not registered: reinstall with `pip install -e .`")
    _check_port_free(port)  # before a token is printed: a busy port ends here, in one line
    immutable = _prepare_for_serving(db_path, read_only)
    meta_path = serve_metadata_path(port)
    try:
        meta_path.parent.mkdir(parents=True, exist_ok=True)
        meta = write_metadata(Path(db_path), meta_path)
    except OSError as err:
        fail(f"cannot write the Datasette metadata to {meta_path}: {err.strerror or err} "
             "(set XDG_CACHE_HOME to a writable folder)")
    args = [sys.executable, "-m", "datasette", "serve", *(["-i"] if immutable else []), db_path,
            "--host", "127.0.0.1", "--port", str(port), "--metadata", str(meta)]
    if open_browser:
        args.append("--open")
    env = {k: v for k, v in os.environ.items() if k != TOKEN_ENV}
    base = f"http://127.0.0.1:{port}"
    click.echo(f"newsmine review: {base}/{Path(db_path).stem}  (articles: {base}/-/newsmine/article/1)")
    if read_only:
        click.echo("read-only: no corrections can be recorded")
    else:
        env[TOKEN_ENV] = secrets.token_urlsafe(32)
        click.echo(f"write token: {env[TOKEN_ENV]}")
        click.echo(f"  log in at {base}/-/newsmine/login to correct entities (valid until this server stops)")
    sys.stdout.flush()
    sys.stderr.flush()
    # become Datasette (no parent left behind: stopping this process stops the server)
    os.execve(sys.executable, args, env)


def serve_metadata_path(port: int) -> Path:
    """Where ``serve`` writes the Datasette metadata: ``$XDG_CACHE_HOME/newsmine/serve-PORT.json``
    (``~/.cache/...`` without the variable), one file per port, overwritten by each ``serve``.

    ``serve`` becomes Datasette (``os.execve``), so nothing of it runs after the server to remove a
    temporary file; a fixed path per port leaves at most one small file per port ever used, never a
    growing pile of temporary folders. Keyed by port: two servers running at once (on two ports, as
    they must be) never share it, and Datasette reads it once at start-up."""
    import os

    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "newsmine" / f"serve-{port}.json"


def _check_port_free(port: int) -> None:
    """Fail in one line when 127.0.0.1:``port`` cannot be bound (another server holds it)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Datasette's server binds it
        try:
            probe.bind(("127.0.0.1", port))
        except OSError as err:
            fail(f"cannot serve on 127.0.0.1:{port}: {err.strerror or err} "
                 "(another server uses it? pick another with --port)")


def _prepare_for_serving(db_path: str, read_only: bool) -> bool:
    """Bring the schema up to date (corrections, review views) where the file may be written; True when
    the file must be served as immutable (``--read-only`` on a file or folder this process cannot write)."""
    from pipeline.store import is_writable, pending_migrations, readonly_uri

    if is_writable(db_path):
        _open_existing(db_path).conn.close()
        return False
    if not read_only:
        fail(f"database {db_path} is read-only here: serve it with --read-only (no corrections)")
    db = _open(db_path, readonly=True)
    missing = pending_migrations(db)
    db.conn.close()
    if missing:
        fail(f"database {db_path} is read-only and its schema is older than this newsmine "
             f"({len(missing)} upgrades missing): open it once where it is writable (`newsmine reextract` "
             "or `newsmine run`), then serve it read-only")
    return readonly_uri(db_path).endswith("immutable=1")


@cli.command(name="export-corrections")
@db_option
@click.option("--out", "out_path", default="corrections.jsonl", show_default=True,
              type=click.Path(dir_okay=False), help="JSON Lines, or a spaCy DocBin when it ends in .spacy.")
def export_corrections(db_path: str, out_path: str) -> None:
    """Write the reviewed articles as NER training data (all corrections applied).

    One record per article with at least one correction: the full text and every
    PER/LOC/ORG span after review, {"text": ..., "entities": [[start, end, label], ...]}.
    Feed it back with `newsmine train --extra-data FILE`.

    \b
    Example:
      newsmine export-corrections --db newsmine.db --out build/corrections.jsonl
    """
    from pipeline.corrections import export_corrections as do_export

    db = _open_existing(db_path)
    out = Path(out_path)
    if out.parent and not out.parent.is_dir():
        fail(f"cannot write {out}: folder {out.parent} does not exist")
    n = do_export(db, out)
    click.echo(f"wrote {n} corrected articles to {out}")


@cli.command()
@db_option
@click.option("--out", "out_path", type=click.Path(file_okay=False), default=None,
              help="Folder for the new model (default: next to the base, <base>-learned-<n>, e.g. "
                   "models/de_news-learned-1). Must not exist or be empty.")
@click.option("--base", default=None, type=click.Path(exists=True, file_okay=False),
              help="The model to update (default: the shipped models/de_news).")
@click.option("--epochs", default=None, type=click.IntRange(0, 1000),
              help="Passes over the reviewed articles (default 8).")
@click.option("--learn-rate", "learn_rate", default=None, type=click.FloatRange(0, min_open=True),
              help="Adam learning rate (default 0.0005).")
@click.option("--rehearsal", default=None, type=click.FloatRange(0),
              help="Words of original training data mixed in per reviewed word, each pass (default 3).")
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--germeval-limit", "germeval_limit", default=None, type=click.IntRange(1),
              help="Score GermEval dev on its first N sentences only (default: all 2,200).")
@click.option("--shared", type=click.Path(exists=True, file_okay=False), default=None,
              help="The shared data folder (default: ../shared/data).")
@click.option("--no-names", "no_names", is_flag=True, help="Leave the known_names list as it is.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def learn(db_path: str, out_path: str | None, base: str | None, epochs: int | None, learn_rate: float | None,
          rehearsal: float | None, seed: int, germeval_limit: int | None, shared: str | None, no_names: bool,
          quiet: bool) -> None:
    """Update the model from the reviewed articles (every article with a correction), in minutes.

    Starts from the current weights, mixed with a sample of the original training data; scores
    base and update on GermEval dev, the corpus dev split and a held-out quarter of the reviewed
    articles (by URL hash), and writes the new model (a versioned copy, provenance in its meta.json)
    only when it is better on the held-out reviewed articles and at most 0.5 F1 points worse on
    each of the others; otherwise it says why in one line, exits 1 and writes nothing. ORG and LOC
    names reviewers added join the new model's known_names unless the training data disagree.

    Without --out the new model goes next to the base: models/de_news-learned-1 (then -2, ...).

    \b
    Example:
      newsmine learn --db newsmine.db --out build/de_news-learned
      newsmine reextract --db newsmine.db --model build/de_news-learned
    """
    from pipeline.training import learn as learning

    spec = learning.LearnSpec(seed=seed, germeval_limit=germeval_limit, learn_names=not no_names, database=db_path)
    for name, value in (("epochs", epochs), ("learn_rate", learn_rate), ("rehearsal", rehearsal)):
        if value is not None:
            setattr(spec, name, value)
    if base:
        spec.base = Path(base)
    if out_path:
        spec.out = Path(out_path)
    if shared:
        spec.shared = Path(shared)
    if not (spec.shared / "germeval2014").is_dir():
        fail(f"no GermEval data under {spec.shared} (pass --shared)")
    db = _open(db_path, readonly=True)
    records = learning.reviewed_records(db)
    if not records:
        fail(f"no reviewed articles in {db_path}: correct entities in the review (`newsmine serve`) first")
    progress, close = learning.terminal_progress() if not quiet else (None, lambda: None)
    try:
        result = learning.learn(records, spec, progress=progress)
    except learning.LearnError as err:
        fail(str(err))
    finally:
        close()
    if not result.accepted:
        fail(f"kept the current model: {result.reason} (F1 before -> after: {result.figures()})")
    click.echo(f"learned from {result.trained} reviewed articles ({result.corrections} corrections in all "
               f"{result.trained + result.heldout}; {result.heldout} held out), {result.steps} steps, "
               f"{result.seconds:.0f} s")
    click.echo(f"F1 before -> after: {result.figures()}")
    if result.names_added:
        click.echo("added to known_names: " + ", ".join(f"{name} ({label})" for label, name in result.names_added))
    click.echo(f"wrote {result.out}; re-apply it with `newsmine reextract --db {db_path} --model {result.out}`")


@cli.group()
def sources() -> None:
    """The sources config: list, add, check (a TOML file, default ./sources.toml)."""


config_arg = click.option("--config", "config_path", default="sources.toml", show_default=True,
                          type=click.Path(dir_okay=False), help="Sources config (TOML).")


def _load_sources_or_fail(config_path: str, missing_ok: bool = False):
    from pipeline.sources import SourceConfigError, load_sources

    if missing_ok and not Path(config_path).exists():
        return []
    try:
        return load_sources(config_path)
    except SourceConfigError as err:
        fail(str(err))


@sources.command(name="list")
@config_arg
@format_option
@csv_option
def sources_list(config_path: str, fmt: str | None) -> None:
    """List configured sources.

    Example: newsmine sources list --config pipeline/data/sources.example.toml
    """
    rows = [{"name": s.name, "kind": s.kind, "url": s.url or s.path or f"{len(s.urls)} urls",
             "region": ", ".join(s.region)} for s in _load_sources_or_fail(config_path)]
    _emit(rows, fmt or "table")


@sources.command(name="add")
@click.argument("name")
@click.option("--kind", required=True, type=click.Choice(["feed", "sitemap", "urls", "directory"]))
@click.option("--url", default=None, help="Feed or sitemap URL (or one URL for kind=urls).")
@click.option("--path", default=None, help="Directory of HTML files (kind=directory).")
@click.option("--region", multiple=True, help="Region tag (repeatable).")
@config_arg
def sources_add(name: str, kind: str, url: str | None, path: str | None, region: tuple[str, ...],
                config_path: str) -> None:
    """Add a source to the config (created if missing).

    Example: newsmine sources add waz-essen --kind feed --url https://www.waz.de/essen/rss --region Essen
    """
    import tempfile

    from pipeline.sources import Source, SourceConfigError, dump_sources, load_sources

    existing = _load_sources_or_fail(config_path, missing_ok=True)
    if any(s.name == name for s in existing):
        fail(f"{config_path}: a source named {name!r} exists already")
    new = Source(name=name, kind=kind, url=url if kind in ("feed", "sitemap") else None,
                 urls=[url] if kind == "urls" and url else [], path=path, region=list(region))
    # validate through the loader (next to the config: relative paths resolve the same) first
    folder = Path(config_path).resolve().parent
    if not folder.is_dir():
        fail(f"{config_path}: folder {folder} does not exist")
    with tempfile.NamedTemporaryFile("w", dir=folder, suffix=".toml", delete=False) as handle:
        probe = Path(handle.name)
    try:
        dump_sources([*existing, new], probe)
        load_sources(probe)
    except SourceConfigError as err:
        fail(str(err).replace(str(probe), config_path))
    finally:
        probe.unlink(missing_ok=True)
    dump_sources([*existing, new], config_path)
    click.echo(f"added {name} ({kind}) to {config_path}")


@sources.command(name="check")
@config_arg
@click.option("--name", default=None, help="Only this source.")
@format_option
def sources_check(config_path: str, name: str | None, fmt: str | None) -> None:
    """Fetch each feed/sitemap (politely) and report how many articles it lists.

    Example: newsmine sources check --config sources.toml
    """
    from pipeline import run as runner
    from pipeline.fetch import FetchSettings

    rows = []
    failed = 0
    for source in _load_sources_or_fail(config_path):
        if name and source.name != name:
            continue
        stats = runner.RunStats()
        listed = runner._discover(source, FetchSettings(), stats, Path(config_path).parent)
        rows.append({"name": source.name, "kind": source.kind, "listed": len(listed),
                     "error": "; ".join(stats.errors) or None})
        failed += bool(stats.errors) or not listed
    _emit(rows, fmt or "table")
    if failed:
        raise SystemExit(1)


@cli.group()
def corpus() -> None:
    """The project's annotated corpus: build, check, export."""


@corpus.command(name="build")
def corpus_build() -> None:
    """Build corpus/articles/corpus.jsonl from the marked-up sources."""
    from pipeline.corpus import JSONL_PATH, CorpusError, build, label_counts

    try:
        articles = build()
    except CorpusError as err:
        fail(str(err))
    click.echo(f"wrote {len(articles)} articles to {JSONL_PATH}")
    for split, counts in sorted(label_counts(a.to_json() for a in articles).items()):
        click.echo(f"  {split}: {dict(counts)}")


@corpus.command(name="check")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False))
def corpus_check(path: str | None) -> None:
    """Validate the JSON Lines corpus: offsets, labels, overlaps, money values."""
    from pipeline.corpus import JSONL_PATH, CorpusError, label_counts, read_jsonl, validate

    try:
        records = list(read_jsonl(Path(path) if path else JSONL_PATH))
    except (CorpusError, OSError) as err:
        fail(str(err))
    problems = validate(records)
    for split, counts in sorted(label_counts(records).items()):
        click.echo(f"{split}: {dict(counts)}")
    if problems:
        for p in problems:
            click.echo(p, err=True)
        fail(f"{len(problems)} problems in {len(records)} articles")
    click.echo(f"ok: {len(records)} articles")


@corpus.command(name="consistency")
def corpus_consistency() -> None:
    """Second reading: label conflicts and strings annotated elsewhere but not here."""
    from pipeline.corpus import consistency_report, read_jsonl

    report = consistency_report(read_jsonl())
    for key, lines in report.items():
        click.echo(f"## {key}: {len(lines)}")
        for line in lines:
            click.echo(f"  {line}")


@cli.command()
@model_option
@click.option("--germeval", "germeval", type=click.Path(exists=True, dir_okay=False),
              help="A GermEval-style BIO file (2-column outer or the original 4-column).")
@click.option("--corpus", "split", type=click.Choice(["train", "dev", "test", "all"]),
              help="A split of the project's corpus.")
@click.option("--money", "money_file", type=click.Path(exists=True, dir_okay=False),
              help="A euro-amount gold file (corpus/money-real/dev.jsonl): span P/R/F1, exact values, qualifiers.")
@click.option("--entities", "entity_split", type=click.Choice(["dev", "test"]),
              help="Entity resolution on the gold mentions of a corpus split (corpus/articles/links.jsonl): "
                   "mention clustering (pairwise and B-cubed P/R/F1) and geocoding P/R.")
@click.option("--region-from-town", "region_from_town", is_flag=True,
              help="With --entities: give the resolver each article's town as the source's region "
                   "(default: no region, nothing of the gold leaks into the resolver).")
@click.option("--limit", type=int, default=None, help="Only the first N sentences.")
@click.option("--swap-names", "swap_names", type=click.IntRange(1, 20), default=None,
              help="With --corpus: score N copies of the split with person and town names swapped for "
                   "names from the training data (how much the model leans on names it has seen).")
@click.option("--shared", type=click.Path(exists=True, file_okay=False), default=None,
              help="The shared data folder for --swap-names (default: ../shared/data).")
@click.option("--errors", "show_errors", is_flag=True,
              help="Also list every error (missed, spurious, wrong label, wrong boundary) with its context.")
@click.option("--json", "as_json", is_flag=True)
def evaluate(model: str | None, germeval: str | None, split: str | None, money_file: str | None,
             entity_split: str | None, region_from_town: bool, limit: int | None, swap_names: int | None,
             shared: str | None, show_errors: bool, as_json: bool) -> None:
    """Precision, recall, F1 per label and micro over PER/LOC/ORG (exact spans); with --money, euro amounts;
    with --entities, entity resolution (clustering, geocoding) on gold mentions.

    \b
    Examples:
      newsmine evaluate --germeval ../shared/data/germeval2014/NER-de-test.tsv
      newsmine evaluate --corpus test --json
      newsmine evaluate --corpus dev --swap-names 3
      newsmine evaluate --corpus dev --errors
      newsmine evaluate --money corpus/money-real/dev.jsonl --errors
      newsmine evaluate --entities dev --errors
    """
    from dataclasses import asdict

    from pipeline.training.evaluate import error_summary, evaluate_bio, evaluate_corpus, format_errors, format_report

    if sum(map(bool, (germeval, split, money_file, entity_split))) != 1:
        fail("give exactly one of --germeval FILE, --corpus SPLIT, --money FILE or --entities SPLIT")
    if swap_names and not split:
        fail("--swap-names works with --corpus SPLIT")
    if region_from_town and not entity_split:
        fail("--region-from-town works with --entities SPLIT")
    if entity_split:
        _evaluate_entities(entity_split, region_from_town, show_errors, as_json)
        return
    if money_file:
        _evaluate_money(model, Path(money_file), limit, show_errors, as_json)
        return
    nlp = _load_model(model)
    errors: list | None = [] if show_errors else None
    if germeval:
        report = evaluate_bio(nlp, Path(germeval), limit=limit, errors=errors)
        title = f"GermEval {germeval}"
    else:
        from pipeline.corpus import read_jsonl

        records = [r for r in read_jsonl() if split == "all" or r["split"] == split]
        title = f"corpus split {split}"
        if swap_names:
            from pipeline.training.augment import augment, shared_pools
            from pipeline.training.train import SHARED

            data = Path(shared) if shared else SHARED
            if not (data / "germeval2014").is_dir():
                fail(f"--swap-names draws names from GermEval train: no GermEval data under {data} (pass --shared)")
            records = augment(records, shared_pools(data), copies=swap_names, seed=99)
            title += f", {swap_names} copies with names swapped"
        report = evaluate_corpus(nlp, records, errors=errors)
    from pipeline.nlp.model import model_info

    report["model"] = model_info(nlp).tag
    if as_json:
        if errors is not None:
            report["error_counts"] = error_summary(errors)
            report["errors"] = [asdict(e) for e in errors]
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        text = format_report(report, title)
        click.echo(format_errors(errors) + "\n\n" + text if errors is not None else text)


def _evaluate_money(model: str | None, path: Path, limit: int | None, show_errors: bool, as_json: bool) -> None:
    from pipeline import money_gold
    from pipeline.nlp.model import model_info
    from pipeline.nlp.money_parser import VERSION
    from pipeline.training.money_eval import errors_as_dicts, evaluate_money, format_money_errors, format_money_report

    try:
        records = money_gold.read(path)
    except (money_gold.GoldError, OSError, UnicodeDecodeError) as err:
        fail(str(err))
    problems = money_gold.check(records)
    if problems:
        fail(f"{path}: {len(problems)} problems in the gold file, first: {problems[0]} "
             "(python -m pipeline.money_gold FILE lists them)")
    records = records[:limit] if limit else records
    nlp = _load_model(model)
    errors: list | None = [] if show_errors else None
    report = evaluate_money(nlp, records, errors=errors)
    report["model"], report["money_parser"] = model_info(nlp).tag, VERSION
    if as_json:
        if errors is not None:
            report["errors"] = errors_as_dicts(errors)
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    text = format_money_report(report, f"euro amounts in {path} ({VERSION})")
    click.echo(format_money_errors(errors) + "\n\n" + text if errors is not None else text)


def _evaluate_entities(split: str, region_from_town: bool, show_errors: bool, as_json: bool) -> None:
    from pipeline.corpus import CorpusError, read_jsonl
    from pipeline.training import entity_eval as ee

    try:
        records = list(read_jsonl())
        gold = ee.read_gold()
        table = ee.geonames_table()
    except (CorpusError, OSError, ValueError) as err:
        fail(str(err))
    problems = ee.check_gold(records, gold, table)
    if problems:
        fail(f"{ee.LINKS_PATH}: {len(problems)} problems in the gold file, first: {problems[0]}")
    records = [r for r in records if r["split"] == split]
    errors: list | None = [] if show_errors else None
    try:
        report = ee.evaluate_entities(records, gold, region_from_town=region_from_town, errors=errors)
    except ImportError as err:
        fail(f"no entity resolver to score ({err})")
    if as_json:
        if errors is not None:
            report["errors"] = ee.errors_as_dicts(errors)
        click.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    title = f"entity resolution on corpus {split} ({report['resolve_version'] or 'resolver'}; gold {ee.LINKS_PATH.name})"
    text = ee.format_entity_report(report, title)
    click.echo(ee.format_entity_errors(errors) + "\n\n" + text if errors is not None else text)


@cli.command()
@click.option("--baseline", is_flag=True,
              help="Train spaCy's stock efficiency NER config on GermEval train only (the reference).")
@click.option("--output", type=click.Path(file_okay=False), default=None,
              help="Where to install the trained pipeline (default: models/de_news, or build/baseline).")
@click.option("--shared", type=click.Path(exists=True, file_okay=False), default=None,
              help="The shared data folder (default: ../shared/data).")
@click.option("--corpus-repeat", default=4, show_default=True, type=click.IntRange(0, 100),
              help="How often the corpus train split is repeated in the training data.")
@click.option("--corpus-augment", default=0, show_default=True, type=click.IntRange(0, 100),
              help="Mention-replaced copies of the corpus train split (names and towns swapped; "
                   "measured: no gain on dev, see models/README.md).")
@click.option("--seed", default=0, show_default=True, type=int, help="Training seed (system.seed).")
@click.option("--max-steps", type=click.IntRange(1), default=None, help="Override training.max_steps.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="spaCy training config (default: models/configs/de_news_gazetteer.cfg).")
@click.option("--vectors", type=click.Path(exists=True, file_okay=False), default=None,
              help="spaCy vectors folder (default: build/vectors/spacy-d100).")
@click.option("--mobie", is_flag=True, help="Add DFKI MobIE (traffic news, tweets) to the training data.")
@click.option("--extra-data", "extra_data", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="Reviewed articles from `newsmine export-corrections` (.jsonl or .spacy); repeatable.")
@click.option("--extra-repeat", default=4, show_default=True, type=click.IntRange(1, 100),
              help="How often the --extra-data articles are repeated in the training data.")
@click.option("--init-tok2vec", "init_tok2vec", type=click.Path(exists=True, dir_okay=False), default=None,
              help="Start from pretrained tok2vec weights (python -m pipeline.training.pretrain).")
def train(baseline: bool, output: str | None, shared: str | None, corpus_repeat: int,
          corpus_augment: int, seed: int, max_steps: int | None, config_path: str | None,
          vectors: str | None, mobie: bool, extra_data: tuple[str, ...], extra_repeat: int,
          init_tok2vec: str | None) -> None:
    """Train the German NER pipeline from ../shared/data (+ the corpus train split).

    \b
    Examples:
      newsmine train                      # reproduces models/de_news
      newsmine train --baseline           # stock config, GermEval only -> build/baseline
      newsmine train --extra-data build/corrections.jsonl   # + reviewed articles (export-corrections)
    """
    from pipeline.training.train import CONFIGS, ROOT, SHARED, TrainSpec
    from pipeline.training.train import train as do_train

    spec = TrainSpec(shared=Path(shared) if shared else SHARED, corpus_repeat=corpus_repeat,
                     max_steps=max_steps, use_corpus=corpus_repeat > 0, use_mobie=mobie,
                     extra_data=[Path(p) for p in extra_data], extra_repeat=extra_repeat,
                     init_tok2vec=Path(init_tok2vec) if init_tok2vec else None, seed=seed,
                     corpus_augment=corpus_augment if corpus_repeat > 0 else 0,
                     **({"vectors": Path(vectors)} if vectors else {}))
    if config_path:
        spec.config = Path(config_path)
    if baseline or "include_static_vectors = true" not in spec.config.read_text():
        spec.vectors = None
    elif spec.vectors is None or not spec.vectors.exists():
        fail(f"config {spec.config.name} needs static vectors: run "
             "`python -m pipeline.training.vectors` first or pass --vectors DIR")
    if baseline:
        spec.config = CONFIGS / "baseline.cfg"
        spec.output = ROOT / "build" / "baseline"
        spec.use_smartdata = spec.use_corpus = spec.use_mobie = False
        spec.corpus_augment = 0
        spec.name = "baseline"
        spec.init_tok2vec = None
        spec.rules = False
    if output:
        spec.output = Path(output)
    if not (spec.shared / "germeval2014").is_dir():
        fail(f"no GermEval data under {spec.shared} (pass --shared)")
    from pipeline.corrections import read_training_jsonl

    for path in spec.extra_data:
        if path.suffix != ".spacy":
            try:
                read_training_jsonl(path)
            except (ValueError, OSError) as err:
                fail(str(err))
    click.echo(f"installed {do_train(spec)}")


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
