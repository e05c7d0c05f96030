"""``assistant index``: build or update the index of the corpus folder."""
from __future__ import annotations

import sys

from assistant.commands._common import add_setting_args, add_store_args, fail, print_json, settings_from


def register(sub) -> None:
    p = sub.add_parser("index", help="index the corpus folder (incremental)",
                       description="Index every document under the corpus folder. Unchanged files are skipped, "
                                   "changed files replaced, deleted files removed. Exit 0: all indexed; 3: some "
                                   "files failed (the rest are indexed); 1: fatal error.")
    add_setting_args(p, ["corpus_dir"])
    add_store_args(p)
    p.add_argument("--rebuild", action="store_true", help="drop the index and build it again (e.g. after changing the embedding model)")
    p.add_argument("--rebuild-if-model-changed", action="store_true",
                   help="when the index was built with another embedding model, say so and rebuild it "
                        "(what `make index` and `make run` do)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run)


def run(args) -> int:
    from assistant.indexer import run_index
    from assistant.messages import t
    from assistant.store import ModelMismatch, StoreError

    settings = settings_from(args)
    bar = None
    progress = None
    if not args.json and sys.stderr.isatty():
        from tqdm import tqdm

        def progress(n, total, path):
            nonlocal bar
            if bar is None:
                bar = tqdm(total=total, unit="file", file=sys.stderr)
            bar.set_postfix_str(path[-40:])
            bar.update(1)
    try:
        try:
            report = run_index(settings, corpus=settings.corpus_dir, rebuild=args.rebuild, progress=progress)
        except ModelMismatch as exc:
            if not args.rebuild_if_model_changed:
                raise
            print(t("index.rebuilt_model", settings.lang, **exc.labels(settings.lang)), file=sys.stderr)
            report = run_index(settings, corpus=settings.corpus_dir, rebuild=True, progress=progress)
    except StoreError as exc:
        if args.json:
            print_json({"error": exc.message(settings.lang), "code": exc.code})
        return fail(exc.message(settings.lang))
    except Exception as exc:  # noqa: BLE001 - fatal: report and exit 1
        if args.json:
            print_json({"error": str(exc)})
        return fail(f"index: {exc}")
    finally:
        if bar is not None:
            bar.close()
    if args.json:
        print_json(report.as_json())
    else:
        for e in report.errors:
            print(t("index.failed_file", settings.lang, path=e["path"], reason=e["error"]), file=sys.stderr)
        print(t("index.summary", settings.lang, indexed=report.indexed, unchanged=report.unchanged,
                removed=report.removed, failed=report.failed, chunks=report.chunks, seconds=f"{report.seconds:.1f}"))
    return report.exit_code
