"""``assistant eval <area>``: evaluation runners discovered from assistant/evals/."""
from __future__ import annotations

import importlib
import pkgutil

import assistant.evals as evals_pkg


def register(sub) -> None:
    p = sub.add_parser("eval", help="measure retrieval, answers, guardrails",
                       description="Evaluation runners. Each prints its metrics; --json for machine-readable output.")
    esub = p.add_subparsers(dest="eval_command", metavar="AREA")
    for mod in sorted(pkgutil.iter_modules(evals_pkg.__path__), key=lambda m: m.name):
        if mod.name.startswith("_"):
            continue
        module = importlib.import_module(f"assistant.evals.{mod.name}")
        if hasattr(module, "register"):
            module.register(esub)
    p.set_defaults(func=lambda args: (p.print_help(), 0)[1])
