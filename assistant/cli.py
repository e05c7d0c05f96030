"""``python -m assistant`` (also installed as ``assistant``): a thin face over the library.

Each command lives in its own module under ``assistant/commands/`` with
``register(subparsers)``; its handler returns the process exit code.
Settings come from ``ASSISTANT_*`` variables and ``.env``; flags override them. An invalid setting
(``SettingsError``, raised by the library) is the one error this face turns into a message on stderr and
exit code 2, with no traceback.
"""
from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys

import assistant.commands as commands_pkg
from assistant.config import SettingsError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assistant",
        description="AI practice sandbox for public officials (Trợ lý thực hành AI cho cán bộ, công chức).",
    )
    parser.add_argument("--env-file", default=".env", help="settings file (default .env)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for mod in sorted(pkgutil.iter_modules(commands_pkg.__path__), key=lambda m: m.name):
        if mod.name.startswith("_"):
            continue
        module = importlib.import_module(f"assistant.commands.{mod.name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 0
    try:
        return int(args.func(args) or 0)
    except SettingsError as exc:
        sys.stderr.write(str(exc).rstrip() + "\n")
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
