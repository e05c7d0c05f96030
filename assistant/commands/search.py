"""``assistant search``: hybrid search over the index (one query or a JSONL batch)."""
from __future__ import annotations

import sys
import time

from assistant.commands._common import add_setting_args, add_store_args, fail, print_json, read_batch, settings_from


def register(sub) -> None:
    p = sub.add_parser("search", help="search the index",
                       description="Search the indexed corpus. With --batch FILE.jsonl (lines {\"id\",\"text\"}) "
                                   "prints one JSON line per query: {id, ms, hits}.")
    p.add_argument("query", nargs="?", help="the question or keywords")
    add_setting_args(p, ["top_k", "retrieval_mode", "dense_weight"])
    p.add_argument("--source", action="append", help="only these documents (path relative to the corpus); repeatable")
    p.add_argument("--doc-type", action="append", help="only these document types, e.g. 'Nghị định'; repeatable")
    add_store_args(p)
    p.add_argument("--batch", help="JSONL file of queries ({\"id\",\"text\"}), '-' for stdin")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=run)


def _result(retriever, qid, text, args, k):
    t0 = time.perf_counter()
    hits = retriever.search(text, k=k, sources=args.source, doc_types=args.doc_type)
    ms = (time.perf_counter() - t0) * 1000
    return {"id": qid, "ms": round(ms, 2), "hits": [h.as_json() for h in hits]}


def run(args) -> int:
    from assistant.messages import t
    from assistant.retrieval import Retriever
    from assistant.store import StoreError

    settings = settings_from(args)
    if not args.query and not args.batch:
        return fail("search: give a QUERY or --batch FILE.jsonl")
    try:
        retriever = Retriever(settings)
    except StoreError as exc:
        return fail(exc.message(settings.lang))
    if retriever.size == 0:
        return fail(t("index.no_index", settings.lang, store=settings.store_dir))
    k = settings.top_k
    if args.batch:
        rows, bad = read_batch(args.batch)
        for rid, row in rows:
            print_json(_result(retriever, rid, row["text"], args, k))
        for n in bad:
            print_json({"id": None, "line": n, "error": "each line must be a JSON object with 'id' and 'text'"})
        return 0
    res = _result(retriever, None, args.query, args, k)
    if args.json:
        print_json(res)
        return 0
    if not res["hits"]:
        print(t("search.no_results", settings.lang))
    for h in res["hits"]:
        page = f" · tr. {h['page']}" if h["page"] else ""
        print(f"[{h['rank']}] {h['score']:.3f}  {h['breadcrumb']}{page}  ({h['source']})")
        snippet = " ".join(h["text"].split())
        print("    " + (snippet[:300] + ("…" if len(snippet) > 300 else "")))
    print(f"({res['ms']:.0f} ms)", file=sys.stderr)
    return 0
