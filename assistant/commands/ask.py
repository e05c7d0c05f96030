"""``assistant ask``: a cited answer from the indexed documents (one question or a JSONL batch)."""
from __future__ import annotations

import sys

from assistant.commands._common import add_setting_args, add_store_args, fail, print_json, read_batch, settings_from

CITATION_KEYS = ("n", "source", "title", "article", "page", "chunk_id")


def register(sub) -> None:
    p = sub.add_parser("ask", help="ask a question; get an answer with citations",
                       description="Answer from the indexed documents, citing document, article and page. "
                                   "Offline by default (quotes the documents); ASSISTANT_BACKEND=openai uses any "
                                   "OpenAI-compatible server. --batch FILE.jsonl takes lines {\"id\",\"question\"} "
                                   "(optional \"task\", \"lang\", \"history\", \"sources\", \"options\") and prints one "
                                   "JSON line per question.")
    p.add_argument("question", nargs="?", help="the question")
    p.add_argument("--task", choices=["qa", "summarize", "plain_language", "extract"], default="qa")
    p.add_argument("--source", action="append", help="only these documents (path relative to the corpus); repeatable")
    p.add_argument("--length", choices=["short", "medium", "long"], help="summary length (--task summarize)")
    p.add_argument("--text-file", help="work on this text file instead of the index (summarize, plain_language, extract)")
    p.add_argument("--file", action="append", dest="files", metavar="PATH",
                   help="a private document for this question only (indexed in memory, never stored, searched "
                        "with the corpus; see --scope); repeatable")
    p.add_argument("--scope", choices=["corpus", "both", "private"], default=None,
                   help="with --file: search the corpus and the files (both, the default) or the files only (private)")
    add_setting_args(p, ["backend", "top_k", "retrieval_mode"])
    add_store_args(p)
    p.add_argument("--batch", help="JSONL file of questions, '-' for stdin")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--stream", action="store_true", help="print the answer as it is produced")
    p.set_defaults(func=run)


def answer_json(result) -> dict:
    d = result.as_json()
    d["citations"] = [{k: c.get(k) for k in CITATION_KEYS} for c in result.citations]
    return d


def _print_text(result, lang: str, streamed: str | None) -> None:
    from assistant.messages import t

    if streamed is not None:
        sys.stdout.write("\n")
        if streamed.strip() != result.answer.strip():  # the check removed invented citations: show the final text
            print("\n---\n" + result.answer)
    else:
        print(result.answer)
    if result.citations:
        print("\n" + t("answers.cli_sources", lang))
        for c in result.citations:
            page = f", {t('answers.page', lang, page=c['page'])}" if c.get("page") else ""
            print(f"  [{c['n']}] {c.get('breadcrumb') or c.get('title')}{page} ({c['source']})")
    if result.unsupported:
        print("\n" + t("answers.cli_unsupported", lang))
        for u in result.unsupported:
            print(f"  - {u.get('message', '')} «{u['sentence'][:120]}»")
    print(f"({result.backend}, {result.ms:.0f} ms)", file=sys.stderr)


def _private(settings, paths: list[str], lang: str):
    """An in-memory index of the --file documents (the same steps as the corpus); bad files are reported."""
    from assistant.private_index import PrivateIndex
    from assistant.retrieval import get_retriever

    ix = PrivateIndex(settings=settings, embedder=get_retriever(settings).embedder, session="cli")
    for path in paths:
        got = ix.add_file(path, lang)
        if not got.ok:
            sys.stderr.write(f"{path}: {got.error.message(lang)}\n")
    return ix


def run(args) -> int:
    from assistant.answer.types import Request
    from assistant.messages import t
    from assistant.pipeline import get_pipeline
    from assistant.store import StoreError

    settings = settings_from(args)
    if not args.question and not args.batch and not args.text_file:
        return fail("ask: give a QUESTION, --text-file FILE or --batch FILE.jsonl")
    options = {}
    if args.length:
        options["length"] = args.length
    if args.text_file:
        with open(args.text_file, encoding="utf-8") as f:
            options["text"] = f.read()
    try:
        pipe = get_pipeline(settings)
        private = _private(settings, args.files, settings.lang) if args.files else None
        if not options.get("text") and pipe.retriever.size == 0 and (private is None or private.empty):
            msg = t("answers.no_index", settings.lang)
            if args.json:
                print_json({"error": msg})
            return fail(msg)
    except StoreError as exc:
        return fail(exc.message(settings.lang))
    scope = args.scope or ("both" if private is not None else "corpus")

    if args.batch:
        rows, bad = read_batch(args.batch, keys=("question", "text"))
        for rid, row in rows:
            req = Request.from_dict(dict(row, question=row["text"], task=row.get("task", args.task),
                                         sources=row.get("sources") or args.source,
                                         options=dict(options, **(row.get("options") or {})), scope=row.get("scope", scope)))
            req.private = private
            print_json(dict(answer_json(pipe.run(req)), id=rid))
        for n in bad:
            print_json({"id": None, "line": n, "error": "each line must be a JSON object with 'id' and 'question'"})
        return 0

    req = Request(args.question or "", task=args.task, sources=args.source, options=options, private=private, scope=scope)
    if args.stream:
        result = None
        streamed = []
        for ev in pipe.stream(req):
            if ev.type == "token":
                streamed.append(ev.data)
                if not args.json:
                    sys.stdout.write(ev.data)
                    sys.stdout.flush()
                else:
                    print_json({"token": ev.data})
            elif ev.type == "done":
                result = ev.data
        if args.json:
            print_json(answer_json(result))
        else:
            _print_text(result, result.lang, streamed="".join(streamed))
    else:
        result = pipe.run(req)
        if args.json:
            print_json(answer_json(result))
        else:
            _print_text(result, result.lang, streamed=None)
    return 0
