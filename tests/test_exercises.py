"""The exercise catalogue (prompts/exercises/module1-6.yaml): complete, bilingual, pointing at real documents."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
EXERCISES = ROOT / "prompts" / "exercises"
EXERCISE_FILES = {m: f"module{m}.yaml" for m in range(1, 7)}
TASKS = {"ask", "summarize", "draft", "plain_language", "extract", "guard"}
LEVELS = {"co-ban", "trung-binh", "nang-cao"}


def _exercises(module: int) -> list[dict]:
    data = yaml.safe_load((EXERCISES / EXERCISE_FILES[module]).read_text(encoding="utf-8"))
    assert isinstance(data, list)
    return data


def _bilingual(value) -> bool:
    return isinstance(value, dict) and all(isinstance(value.get(k), str) and value[k].strip() for k in ("vi", "en"))


@pytest.mark.parametrize("module", sorted(EXERCISE_FILES))
def test_exercises_are_complete_and_point_at_real_documents(module):
    exercises = _exercises(module)
    assert len(exercises) >= 4
    for n, ex in enumerate(exercises, start=1):
        where = f"module{module}.yaml #{n}"
        assert re.fullmatch(rf"m{module}-\d{{2}}", ex["id"]), where
        assert ex["module"] == module, where
        assert ex["task"] in TASKS, (where, ex["task"])
        assert ex["level"] in LEVELS, (where, ex["level"])
        assert _bilingual(ex["title"]) and _bilingual(ex["instructions"]), where
        assert ex["prompts"] and all(_bilingual(p) for p in ex["prompts"]), where
        assert 3 <= len(ex["rubric"]) <= 5 and all(_bilingual(x) for x in ex["rubric"]), where
        assert ex["mistakes"] and all(_bilingual(x) for x in ex["mistakes"]), where
        assert ex["documents"], where
        for doc in ex["documents"]:
            assert (CORPUS / doc).is_file(), (where, doc)
    ids = [e["id"] for e in exercises]
    assert len(set(ids)) == len(ids)


def test_ids_are_unique_across_modules():
    ids = [e["id"] for m in EXERCISE_FILES for e in _exercises(m)]
    assert len(ids) == len(set(ids)) >= 24
