"""The exercises of the six modules, as data that runs and can be checked.

Catalogue: ``prompts/exercises/module*.yaml`` (lists of exercises, vi and en). An exercise has a
task (ask, guard, summarize, extract, plain_language, draft), the documents it works on, optional
``options`` (e.g. ``{length: short}``, ``{articles: ["10", "11"]}``), prompts, and for each prompt what a
correct run must show::

    prompts:
      - vi: "..."
        en: "..."
        expect:
          contains: ["03 ngày làm việc", ["A05", "Bộ Công an"]]  # every item; a list item = any of them
          # or per language: contains: {vi: [...], en: [...]}
          guard: warn            # the strongest guard decision of the run: allow | warn | block
          types: [cccd, phone]   # guard finding types the run must report (a prefix is enough)
          abstain: false         # the assistant must (true) or must not (false) say the documents do not answer
          cites: ["tiep-can-thong-tin.md#8"]  # a citation of this document (and article)
          rows: 8                # at least this many table rows (extraction)

A draft exercise also has ``draft: {type: cong-van, fields: {vi: {...}, en: {...}}}``: it runs the
drafting function of the Draft tab and its ``contains`` are checked in the draft.

:func:`exercise_request` turns an exercise's prompt into the :class:`~assistant.answer.types.Request` the
app's Start button, the named API and the tests send to ``Pipeline.stream``; :func:`check_run` lists
what a run's result fails of its expectations (empty: the run is correct).
"""
from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import yaml

from assistant.answer.types import Request
from assistant.resources import prompts_dir

EXERCISES_DIR = prompts_dir() / "exercises"
# the exercise's task -> the pipeline's task ("guard" exercises ask a question and watch the guard)
TASKS = {"ask": "qa", "guard": "qa", "summarize": "summarize", "extract": "extract",
         "plain_language": "plain_language"}
DECISIONS = ("allow", "warn", "block")


# ---------------------------------------------------------------- catalogue
def _lang(value, lang: str) -> str:
    if isinstance(value, dict):
        return str(value.get(lang) or value.get("vi") or next(iter(value.values()), ""))
    return "" if value is None else str(value)


def load_exercises(folder: str | Path | None = None) -> list[dict]:
    folder = Path(folder or EXERCISES_DIR)
    out: list[dict] = []
    if not folder.is_dir():
        return out
    files = sorted(folder.glob("module*.yaml"), key=lambda p: [int(x) if x.isdigit() else x for x in re.split(r"(\d+)", p.name)])
    for path in files:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except yaml.YAMLError:
            continue
        if isinstance(data, dict):
            data = data.get("exercises") or []
        for ex in data:
            if isinstance(ex, dict) and ex.get("id"):
                ex = dict(ex)
                m = re.search(r"(\d+)", path.stem)
                ex.setdefault("module", int(m.group(1)) if m else 0)
                out.append(ex)
    return out


def modules(exercises: list[dict]) -> list[int]:
    return sorted({int(e.get("module") or 0) for e in exercises})


def in_module(exercises: list[dict], module) -> list[dict]:
    try:
        module = int(module)
    except (TypeError, ValueError):
        return []
    return [e for e in exercises if int(e.get("module") or 0) == module]


def by_id(exercises: list[dict], ex_id: str) -> dict | None:
    return next((e for e in exercises if e.get("id") == ex_id), None)


def text(ex: dict, key: str, lang: str) -> str:
    return _lang(ex.get(key), lang)


def items(ex: dict, key: str, lang: str) -> list[str]:
    return [_lang(x, lang) for x in (ex.get(key) or [])]


# ---------------------------------------------------------------- running
def prompt_of(ex: dict, lang: str, prompt_index: int = 0) -> str:
    prompts = ex.get("prompts") or []
    if not prompts:
        return ""
    return _lang(prompts[max(0, min(int(prompt_index or 0), len(prompts) - 1))], lang)


def prompt_index_of(ex: dict, prompt: str, lang: str) -> int:
    """The index of ``prompt`` (as shown in ``lang``, or in any language) among the exercise's prompts; 0 if none."""
    p = " ".join((prompt or "").split())
    for i, item in enumerate(ex.get("prompts") or []):
        texts = [item.get(k, "") for k in ("vi", "en")] if isinstance(item, dict) else [str(item)]
        if any(" ".join(str(x).split()) == p for x in texts if x):
            return i
    return 0


def is_draft(ex: dict) -> bool:
    return ex.get("task") == "draft"


def exercise_request(ex: dict, lang: str, prompt_index: int = 0) -> Request:
    """The request an exercise's prompt makes: its task, its documents as the sources, its options."""
    if is_draft(ex):
        raise ValueError(f"exercise {ex.get('id')} is a draft: use draft_fields() and the drafting function")
    task = TASKS.get(str(ex.get("task") or "ask"), "qa")
    options = dict(ex.get("options") or {})
    return Request(prompt_of(ex, lang, prompt_index), task=task, lang=lang,
                   sources=list(ex.get("documents") or []) or None, options=options)


def draft_fields(ex: dict, lang: str) -> tuple[str, dict]:
    """(document type, fields) of a draft exercise, for the Draft tab's drafting function."""
    d = ex.get("draft") or {}
    fields = d.get("fields") or {}
    if isinstance(fields, dict) and set(fields) & {"vi", "en"}:
        fields = fields.get(lang) or fields.get("vi") or {}
    return str(d.get("type") or "cong-van"), dict(fields)


# ---------------------------------------------------------------- checking
def expectation(ex: dict, prompt_index: int = 0) -> dict:
    prompts = ex.get("prompts") or []
    if not prompts or prompt_index >= len(prompts) or not isinstance(prompts[prompt_index], dict):
        return {}
    return dict(prompts[prompt_index].get("expect") or {})


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", str(s))).strip().lower()


def _facts(value, lang: str) -> list:
    if isinstance(value, dict):
        value = value.get(lang) or value.get("vi") or []
    return list(value or [])


def _guard_parts(result: dict) -> tuple[str, list[str]]:
    """(strongest decision, finding types) of a result dict (the app's) or a Result's guard list."""
    g = result.get("guard")
    stages = g.get("stages", []) if isinstance(g, dict) else list(g or [])
    order = {d: i for i, d in enumerate(DECISIONS)}
    decisions = [s.get("decision", "allow") for s in stages] + ([g.get("decision")] if isinstance(g, dict) and g.get("decision") else [])
    decision = max(decisions or ["allow"], key=lambda d: order.get(d, 0))
    if result.get("blocked"):
        decision = "block"
    types = [f.get("type", "") for s in stages for f in s.get("findings", [])]
    if isinstance(g, dict):
        types += [x for x in g.get("findings") or [] if isinstance(x, str)]
    return decision, types


def as_result_dict(result) -> dict:
    if isinstance(result, dict):
        return result
    d = result.as_json() if hasattr(result, "as_json") else {}
    d["guard"] = list(getattr(result, "guard", []) or [])
    return d


def table_rows(answer: str) -> int:
    return sum(1 for ln in answer.splitlines() if ln.startswith("|") and re.search(r"\[\d+\]\s*\|\s*$", ln))


def check_run(ex: dict, result, lang: str = "vi", prompt_index: int = 0) -> list[str]:
    """What the run's result fails of the exercise's expectations, as readable lines (empty: correct).

    ``result``: the app's result dict (``Services.ask``), a pipeline ``Result``, or a draft dict (``markdown``)."""
    exp = expectation(ex, prompt_index)
    res = as_result_dict(result)
    answer = res.get("answer") or res.get("markdown") or ""
    text_n = _norm(answer)
    failed: list[str] = []
    for fact in _facts(exp.get("contains"), lang):
        alts = fact if isinstance(fact, list) else [fact]
        if not any(_norm(a) in text_n for a in alts):
            failed.append(f"missing fact: {' | '.join(map(str, alts))}")
    decision, types = _guard_parts(res)
    if exp.get("guard") and decision != exp["guard"]:
        failed.append(f"guard decision {decision}, expected {exp['guard']}")
    for want in exp.get("types") or []:
        if not any(t == want or t.startswith(want + ".") or t.endswith("." + want) or want in t for t in types):
            failed.append(f"guard finding {want} not reported (found: {', '.join(types) or 'none'})")
    if "abstain" in exp and bool(res.get("abstained")) != bool(exp["abstain"]):
        failed.append("the assistant refused to answer" if res.get("abstained") else "the assistant answered, expected a refusal")
    cited = [(c.get("source", ""), str(c.get("article") or "")) for c in res.get("citations") or []]
    for want in _facts(exp.get("cites"), lang):  # a list, or one per language ({"vi": [...], "en": [...]})
        src, _, art = str(want).partition("#")
        if not any(s == src and (not art or a == art) for s, a in cited):
            failed.append(f"no citation of {want} (cited: {', '.join(f'{s}#{a}' for s, a in cited) or 'none'})")
    if exp.get("rows") and table_rows(answer) < int(exp["rows"]):
        failed.append(f"{table_rows(answer)} table rows, expected at least {exp['rows']}")
    return failed
