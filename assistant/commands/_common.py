"""Helpers shared by the CLI commands."""
from __future__ import annotations

import json
import sys

from assistant.config import BY_NAME, Settings, add_setting_args, load_settings

# The settings every command that reads the index takes as flags.
STORE_SETTINGS = ("store_dir", "collection", "embedding_model", "chroma_host", "chroma_port", "lang")

__all__ = ["STORE_SETTINGS", "add_setting_args", "add_store_args", "settings_from", "print_json", "fail", "read_batch"]


def add_store_args(p) -> None:
    """Flags of the index settings (``--store``/``--store-dir``, ``--collection``, ... ``--lang``)."""
    add_setting_args(p, STORE_SETTINGS)


def settings_from(args, **extra) -> Settings:
    """Settings from ``.env`` (``--env-file``), the environment, then every setting flag set on ``args``."""
    kw = {name: getattr(args, name, None) for name in BY_NAME}
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
