"""Evaluation runners: one module per area (retrieval, answers, guardrails, ...).

Each module defines ``register(subparsers)`` for ``python -m assistant eval <name>``
and a ``run_<name>(settings, ...) -> dict`` function returning its metrics.
"""
