"""Evaluation runners: one module per area (retrieval, answers, guardrails, beir, all), computing figures per
dev/test split (``splits``), the figures record (``figures``), sweeps fitted on dev (``sweep``) and the report.

Each area has a ``run_<name>(settings, ...) -> dict``; the command-line face is ``assistant/commands/eval.py``
(this package never imports the commands).
"""
