"""The ``seamline`` command: ``seamline demo`` serves the demo shop, ``seamline steps`` lists phrases,
``seamline init`` scaffolds a test project, ``seamline schema`` prints the JSON Schema of seamline.yaml,
``seamline docs`` regenerates the documentation site's reference pages, ``seamline load`` runs scenarios
as a Locust load test."""

from __future__ import annotations

import argparse
import sys

__all__ = ["main"]


def _steps(args: argparse.Namespace) -> int:
    from .core.errors import SeamlineError
    from .steps import CATALOG
    from .steps._user import UserPhrase, load_user_phrases

    try:
        user_phrases = load_user_phrases(args.config)
    except SeamlineError as error:
        print(f"seamline: the phrasebook did not load: {error.message}", file=sys.stderr)
        return 2
    if args.glue:
        from pathlib import Path

        from ._editors import write_glue

        write_glue(Path(args.glue), [*CATALOG.values(), *user_phrases.values()])
        print(f"wrote {args.glue}: {len(CATALOG) + len(user_phrases)} phrases for the Gherkin extension of VS Code")
        return 0
    word = (args.word or "").lower()
    shown = 0
    for phrase in [*CATALOG.values(), *user_phrases.values()]:
        text = f"{phrase.template} {phrase.description}".lower()
        if word and word not in text:
            continue
        shown += 1
        mark = "  (user phrase)" if isinstance(phrase, UserPhrase) else ""
        print(phrase.template + mark)
        print(f"    {phrase.summary}")
        print("    e.g. " + phrase.example.replace("\n", "\n         "))
    if not shown:
        print(f"seamline: no phrase mentions {args.word!r}; `seamline steps` lists them all", file=sys.stderr)
        return 1
    return 0


def _init(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ._scaffold import scaffold

    directory = Path(args.directory)
    try:
        written = scaffold(directory)
    except FileExistsError as error:
        print(f"seamline init: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"created {path}")
    where = "" if directory == Path(".") else f"cd {directory} && "
    print(f"\nnext: {where}pytest features/ && robot --outputdir results robot/")
    return 0


def _schema(args: argparse.Namespace) -> int:
    import json

    from .core.config.schema import config_json_schema, phrasebook_json_schema

    schema = phrasebook_json_schema() if args.phrasebook else config_json_schema()
    print(json.dumps(schema, indent=2))
    return 0


def _docs(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ._docs import stale_pages, update_docs

    docs = Path(args.docs)
    if args.check:
        stale = stale_pages(docs)
        for name in stale:
            print(f"seamline docs: {docs / name} is stale: run `seamline docs --update {docs}`", file=sys.stderr)
        return 1 if stale else 0
    for name in update_docs(docs):
        print(f"updated {docs / name}")
    return 0


def _load(argv: list[str]) -> int:
    from .load._cli import run_load

    return run_load(argv)


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # `seamline steps | head`: the reader has all it wanted. Python would report the
        # unflushed rest as a second error on exit; send that to nowhere instead.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _main(argv: list[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "demo":
        from .demo.__main__ import main as demo_main

        return demo_main(argv[1:])
    if argv and argv[0] == "load":  # its options beside Locust's own, which it passes on
        return _load(argv[1:])
    parser = argparse.ArgumentParser(prog="seamline", description="Plain-language API integration tests.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("demo", help="serve the demo shop (see: seamline demo --help)")
    commands.add_parser("load", help="run .feature scenarios as a Locust load test (see: seamline load --help)")
    steps = commands.add_parser("steps", help="list every phrase, filtered by a word")
    steps.add_argument("word", nargs="?", help="show only phrases containing this word")
    steps.add_argument("--config", metavar="PATH", help="seamline.yaml whose phrasebook to include (default: nearest)")
    steps.add_argument(
        "--glue", metavar="PATH", help="write the phrases as step definitions for VS Code's Gherkin extension"
    )
    init = commands.add_parser("init", help="scaffold a test project that passes against the demo shop")
    init.add_argument("directory", nargs="?", default=".", help="where to create it (default: here)")
    schema = commands.add_parser("schema", help="print the JSON Schema of seamline.yaml, for editors")
    schema.add_argument("--phrasebook", action="store_true", help="the schema of phrases.yaml instead")
    docs = commands.add_parser("docs", help="regenerate the site's phrase and configuration reference pages")
    docs_mode = docs.add_mutually_exclusive_group(required=True)
    docs_mode.add_argument("--update", dest="docs", metavar="DOCS", help="write the stale pages under this folder")
    docs_mode.add_argument("--check", metavar="DOCS", help="exit 1 when a page under this folder is stale")
    args = parser.parse_args(argv)
    if args.command == "docs":
        args.docs = args.docs or args.check
        return _docs(args)
    if args.command == "steps":
        return _steps(args)
    if args.command == "init":
        return _init(args)
    if args.command == "schema":
        return _schema(args)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
