"""The exercise catalogue for the app: kept as a name for older imports; the code is :mod:`assistant.exercises`."""
from __future__ import annotations

from assistant.exercises import (EXERCISES_DIR, _lang, by_id, check_run, exercise_request, in_module, items,  # noqa: F401
                                 load_exercises, modules, prompt_index_of, prompt_of, text)

__all__ = ["EXERCISES_DIR", "by_id", "check_run", "exercise_request", "in_module", "items", "load_exercises", "modules",
           "prompt_index_of", "prompt_of", "text"]
