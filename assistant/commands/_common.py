"""Helpers shared by the CLI commands."""
from __future__ import annotations

import json
import sys

from assistant.config import Settings, load_settings


def add_store_args(p) -> None:
    p.add_argument("--store", "--store-dir", dest="store_dir", help="index folder (ASSISTANT_STORE_DIR)")
    p.add_argument("--collection", help="Chroma collection (ASSISTANT_COLLECTION)")
    p.add_argument("--embedding-model", dest="embedding_model", help="(ASSISTANT_EMBEDDING_MODEL)")
    p.add_argument("--chroma-host", dest="chroma_host", help="(ASSISTANT_CHROMA_HOST)")
    p.add_argument("--chroma-port", dest="chroma_port", type=int, help="(ASSISTANT_CHROMA_PORT)")
    p.add_argument("--lang", choices=["vi", "en"], help="language of messages (ASSISTANT_LANG)")


def settings_from(args, **extra) -> Settings:
    names = ["store_dir", "collection", "embedding_model", "chroma_host", "chroma_port", "lang", "corpus_dir",
             "retrieval_mode", "top_k", "dense_weight", "backend"]
    kw = {n: getattr(args, n, None) for n in names}
    kw.update(extra)
    return load_settings(env_file=getattr(args, "env_file", ".env"), **kw)


def print_json(obj) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def fail(message: str, code: int = 1) -> int:
    sys.stderr.write(message.rstrip() + "\n")
    return code


def read_batch(path: str, keys: tuple[str, ...] = ("text",)) -> tuple[list[tuple[object, dict]], list[int]]:
    """Lines of a JSONL batch file ('-' = stdin): ([(id, row)], [numbers of bad lines]).

    Each good line is a JSON object with a string under the first of ``keys`` it has, copied to
    ``row["text"]``; its "id" defaults to the line number.
    """
    import json

    f = sys.stdin if path == "-" else open(path, encoding="utf-8")
    rows, bad = [], []
    with f:
        for n, line in enumerate(f, start=1):
            line = line.strip()
            if not line:
                continue
            try:
                row = json.loads(line)
                row["text"] = next(row[k] for k in keys if isinstance(row.get(k), str))
            except StopIteration:
                bad.append(n)
                continue
            except (ValueError, TypeError, AttributeError, KeyError):
                bad.append(n)
                continue
            rows.append((row.get("id", n), row))
    return rows, bad
