"""Prompt-injection guard, measured by source: recall on attack sources held out from training, false
positives on benign Vietnamese questions and instructions, for rules only, rules + similarity, and all
layers (rules + similarity + the learned classifier).

    HF_HUB_OFFLINE=1 .venv/bin/python evals/eval_injection.py [--json] [--layers rules,similarity,all]

The split (``load_rows``) is defined here once; ``scripts/train_injection.py`` reads it and fits only on
``role == "train"`` rows, chooses its threshold on ``role == "dev"`` rows, and never sees ``test``:

- train: upstream sources garak, BIPIA, TrustLLM, latent-jailbreak, the dev halves of the DAN templates and
  the system-prompt extraction list (``../shared/data/redteam``), benign awesome-chatgpt-prompts, self-instruct/P3,
  alpaca-libre, XSTest's safe prompts, SEA-HELM's safe prompts (mostly Vietnamese); our batch
  ``ours-vi-a`` (its ``dev`` rows only) and ``ours-train-c`` (``evals/datasets/injection_train_extra.jsonl``:
  345 rows written for training only - Vietnamese and English attacks of the 15 kinds, benign instructions
  with trigger words - never measured on) and ``ours-train-d`` (``evals/datasets/injection_train_about.jsonl``:
  164 rows written for training only - benign questions *about* attacks, password/OTP/ID rules, short
  personal-data notes, admin requests with trigger words, and 15 attacks dressed as such questions).
- dev (threshold at <= 1 % false positives): the dev halves of the XQuAD-vi questions and of the corpus
  questions (``evals/datasets/retrieval_*.jsonl``, ``answers_*.jsonl``), by the project's split
  (``assistant.evals.splits``), ``ours-vi-a`` dev benign rows (scored out of fold), and the dev rows of the
  hand-written personal-data set (``pii_handwritten.jsonl``: passwords, OTP codes, ID numbers - no injection).
- test, held out from training (out of distribution): attacks of the in-the-wild jailbreak set, JailbreakBench,
  the small hand-written payload lists, our batch ``ours-vi-b`` (all its rows, dev and test); benign
  InjecGuard (NotInject trigger words + WildGuard safe requests), MT-bench, the test halves of XQuAD-vi,
  of the corpus questions and of the personal-data set. In distribution: ``ours-vi-a`` test rows, and the test halves of the DAN
  templates and the system-prompt extraction list (the project's split; their dev halves are trained on).
- out of scope: ``harmful_request*`` rows (XSTest unsafe, MultiJail en/vi, SEA-HELM harmful): unsafe requests
  with no injection technique. The injection guard does not cover them (refusing harmful content is the
  model's and the policy list's job); their flag rate is printed for information only.

Figures are from the shipped weights (``assistant/guard/injection_clf.npz``); the threshold the classifier
uses is the one the training script chose on dev. Report test figures once (docs/guardrails.md).
"""
from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant.evals.splits import assign, index_split, kind_of, xquad_article_split  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
DATASETS = ROOT / "evals" / "datasets"

TRAIN_UPSTREAM = ["garak_probes", "bipia_indirect_injection", "trustllm_jailbreak", "latent_jailbreak",
                  "awesome_chatgpt_prompts", "self_instruct_and_p3_prompts", "alpaca_libre_instructions",
                  "xstest", "seahelm_safeguard_vi_en"]
HELDOUT_UPSTREAM = ["jailbreakbench_artifacts", "small_payload_lists", "injecguard_notinject_benign",
                    "fastchat_mtbench_vicuna"]
OUT_OF_SCOPE = ["multijail_harmful_en_vi"]  # every row is a harmful request
TRAIN_FILES = ["injection_train_extra.jsonl", "injection_train_about.jsonl"]  # written for training only
_VI_CHARS = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)

# Source kinds -> the attack kinds the trainee is told about (guard.attack_kind.<kind> in prompts/messages_guard.yaml).
KIND_GROUPS = {
    "ignore_instructions": ["goal_hijacking", "instruction_override", "injection_payload_instruction_overriding",
                            "injection_payload_basic_usage_test", "injection_payload_recursive_prompting",
                            "injection_payload_reverse_prompt_injection", "ignore_instructions"],
    "sysprompt_extraction": ["prompt_leaking", "injection_payload_output_leakage", "sysprompt_extraction",
                             "redteam_sysprompt"],
    "hidden_instructions": ["indirect_injection_code", "indirect_injection_document", "indirect_injection_email",
                            "indirect_injection_embedded", "indirect_injection_plugin", "indirect_injection_resume",
                            "indirect_injection_snippets", "indirect_injection_table", "indirect_injection_whois",
                            "indirect_document"],
    "translation_trick": ["indirect_injection_translation", "latent_jailbreak_embedded_instruction", "translation_trick"],
    "encoding": ["encoding_obfuscation", "indirect_injection_encoded", "jailbreak_encoding", "token_smuggling",
                 "invisible_unicode_injection", "injection_payload_encoding_bypass", "obfuscation",
                 "jailbreak_gcg_suffix", "jailbreak_dsn_suffix"],
    "roleplay": ["roleplay", "fiction_framing", "jailbreak_pair_roleplay", "jailbreak_tense_reformulation",
                 "jailbreak_chain_of_utterances"],
    "jailbreak_persona": ["redteam_dan", "redteam_inthewild", "injection_payload_jailbreak", "jailbreak_or_injection_example",
                          "jailbreak_adaptive_template_suffix", "injection_payload_rce_test_w_jailbreak"],
    "authority": ["authority", "injection_payload_identity_injection", "injection_payload_role_injection",
                  "jailbreak_policy_puppetry"],
    "payload_splitting": ["payload_splitting", "jailbreak_payload_splitting", "jailbreak_disguise_reconstruction",
                          "jailbreak_multitask_distraction"],
    "emotional_pressure": ["emotional_pressure", "jailbreak_roleplay_grandma"],
    "refusal_suppression": ["refusal_suppression", "jailbreak_refusal_suppression", "jailbreak_prefix_injection"],
    "output_format": ["output_format", "jailbreak_style_constraint", "jailbreak_cot"],
    "context_switch": ["context_switch", "injection_payload_role_switching", "injection_payload_prompt_masking"],
    "data_exfiltration": ["data_exfiltration", "data_exfiltration_markdown", "xss_injection", "code_exploitation_injection",
                          "injection_payload_backdoor_test", "injection_payload_rce_test_w_o_jailbreak",
                          "injection_payload_network_test", "injection_payload_third_party_abuse",
                          "injection_payload_data_extraction"],
    "disable_guard": ["disable_guard"],
}
KIND_OF = {k: g for g, ks in KIND_GROUPS.items() for k in ks} | {g: g for g in KIND_GROUPS}


def _jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _row(text, label, kind, lang, source, role, pool, rid=""):
    return {"text": str(text), "label": int(label == "attack" if isinstance(label, str) else label), "kind": kind,
            "group": KIND_OF.get(kind, ""), "lang": lang or "en", "source": source, "role": role, "pool": pool,
            "id": rid}


def xquad_split(shared: Path = SHARED) -> dict[str, str]:
    """XQuAD-vi question id -> dev/test, by the project's rule (``assistant.evals.splits``): the first half
    of the 48 articles is dev, the second half test (a paragraph's questions never straddle the two)."""
    path = shared / "xquad" / "xquad.vi.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    n = len(data["data"])
    return {q["id"]: xquad_article_split(i, n) for i, a in enumerate(data["data"]) for p in a["paragraphs"]
            for q in p["qas"]}


def load_rows(shared: Path = SHARED, datasets: Path = DATASETS) -> list[dict]:
    """Every row with its ``role`` (train / dev / test / oos) and ``pool`` (the figure it counts in)."""
    rows: list[dict] = []
    inj = shared / "injection"
    for name in TRAIN_UPSTREAM + HELDOUT_UPSTREAM + OUT_OF_SCOPE:
        role = "train" if name in TRAIN_UPSTREAM else "test"
        for r in _jsonl(inj / f"{name}.jsonl"):
            kind = r.get("kind", "")
            if r["label"] == "attack" and kind.startswith("harmful_request") or name in OUT_OF_SCOPE:
                rows.append(_row(r["text"], r["label"], kind, r.get("lang"), name, "oos", f"oos:{name}:{r.get('lang')}"))
                continue
            rows.append(_row(r["text"], r["label"], kind, r.get("lang"), name, role, name))
    rt = shared / "redteam"
    for x in json.loads((rt / "inthewild_jailbreak_llms.json").read_text(encoding="utf-8")):
        rows.append(_row(x, "attack", "redteam_inthewild", "en", "redteam_inthewild", "test", "redteam_inthewild"))
    # the project's split of the red-team sets (assistant.evals.splits): DAN templates alternate by file name,
    # the extraction list by position; only their dev halves are fitted on, the test halves are held out
    for i, f in enumerate(sorted(glob.glob(str(rt / "dan" / "*.json")))):
        data = json.loads(Path(f).read_text(encoding="utf-8"))
        s = index_split(i)
        for x in (data if isinstance(data, list) else [data]):
            rows.append(_row(x, "attack", "redteam_dan", "en", "redteam_dan", "train" if s == "dev" else "test",
                             f"redteam_dan:{s}", Path(f).stem))
    data = json.loads((rt / "sysprompt_extraction_attacks.json").read_text(encoding="utf-8"))
    for i, x in ((i, x) for xs in data.values() for i, x in enumerate(xs)):  # position within its category
        s = index_split(i)
        rows.append(_row(x, "attack", "redteam_sysprompt", "en", "redteam_sysprompt", "train" if s == "dev" else "test",
                         f"redteam_sysprompt:{s}"))
    # our extra training rows (vi + en, attacks of every kind and benign instructions with trigger words), and
    # ``ours-train-d``: benign questions *about* attacks, password/OTP/ID rules, short personal-data notes and
    # admin requests with trigger words, plus a few attacks dressed as such questions (training only)
    for fname in TRAIN_FILES:
        for r in _jsonl(datasets / fname):
            rows.append(_row(r["text"], r["label"], r["kind"], r["lang"], r["source"], "train", r["source"], r["id"]))
    for fname in ("injection_vi_attacks.jsonl", "injection_vi_benign.jsonl"):
        for r in _jsonl(datasets / fname):
            src = r["source"]
            if src == "ours-vi-a":
                role = "train" if r["split"] == "dev" else "test"
                if role == "train" and r["label"] == "benign":
                    role = "train+dev"  # fitted on, and scored out of fold for the threshold
            else:
                role = "test"
            rows.append(_row(r["text"], r["label"], r["kind"], "vi", src, role, f"{src}:{r['split']}", r["id"]))
    # the hand-written personal-data set: texts with passwords, OTP codes, ID numbers … - no injection, so every
    # row is benign here; its dev rows are a dev pool (threshold), its test rows are reported
    for r in _jsonl(datasets / "pii_handwritten.jsonl"):
        lang = "vi" if _VI_CHARS.search(r["text"]) else "en"
        rows.append(_row(r["text"], "benign", "personal_data", lang, "pii_handwritten", r["split"],
                         f"pii_handwritten:{r['split']}", r["id"]))
    split = xquad_split(shared)
    data = json.loads((shared / "xquad" / "xquad.vi.json").read_text(encoding="utf-8"))
    for a in data["data"]:
        for p in a["paragraphs"]:
            for q in p["qas"]:
                s = split[q["id"]]
                rows.append(_row(q["question"], "benign", "xquad_question", "vi", "xquad_vi", s, f"xquad_vi:{s}", q["id"]))
    for path in sorted(datasets.glob("retrieval_*.jsonl")) + sorted(datasets.glob("answers_*.jsonl")):
        got = _jsonl(path)
        for r, s in zip(got, assign(got, kind_of(path), path.stem)):
            rows.append(_row(r["question"], "benign", "corpus_question", r.get("lang", "vi"), "corpus_questions",
                             s, f"corpus_questions:{s}", r.get("id", "")))
    return rows


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


# ------------------------------------------------------------------ the evaluation
class CachingEmbedder:
    """The running embedder with a memo of passage vectors (the same vectors; the eval runs three
    configurations over the same texts). Anything else is passed through."""

    def __init__(self, inner):
        self.inner = inner
        self.memo: dict[str, object] = {}

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def encode(self, texts, batch_size=None):
        import numpy as np

        todo = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if todo:
            for t, v in zip(todo, self.inner.encode(todo, batch_size=batch_size)):
                self.memo[t] = v
        return np.stack([self.memo[t] for t in texts]) if texts else self.inner.encode([])


LAYERS = {"rules": {"similarity", "classifier", "judge"}, "similarity": {"classifier", "judge"}, "all": {"judge"}}
LAYER_NAMES = {"rules": "rules only", "similarity": "rules + similarity", "all": "rules + similarity + classifier"}


def run(layers=("rules", "similarity", "all"), embedder=None, shared: Path = SHARED, limit: int = 0) -> dict:
    from assistant.guard.injection import BLOCK_THRESHOLD
    from assistant.guard.inputs import injection_scores

    rows = [r for r in load_rows(shared) if r["role"] in ("dev", "test", "train+dev", "oos")]
    # report pools: held-out sources (and the dev pools for reference); training rows are not reported
    rows = [r for r in rows if r["role"] != "train+dev"]
    if limit:
        by = defaultdict(list)
        for r in rows:
            by[r["pool"]].append(r)
        rows = [r for xs in by.values() for r in xs[:limit]]
    out = {"layers": {}, "threshold": BLOCK_THRESHOLD}
    texts = [r["text"] for r in rows]
    for layer in layers:
        t0 = time.perf_counter()
        scores = injection_scores(texts, None, set(LAYERS[layer]), embedder)
        secs = time.perf_counter() - t0
        flagged = [s[0] >= BLOCK_THRESHOLD for s in scores]
        out["layers"][layer] = {"seconds": round(secs, 1), **summarise(rows, flagged),
                                "explained_kind": kind_agreement(rows, scores)}
    return out


def kind_agreement(rows: list[dict], scores) -> dict:
    """On our held-out Vietnamese attacks that were caught: how often the kind of attack the trainee is told
    (``attack_kind`` of the rule or the classifier's nearest kind) is the row's own kind."""
    from assistant.guard.injection import BLOCK_THRESHOLD, attack_kind

    by_layer: dict[str, list[bool]] = defaultdict(list)
    for r, (score, _s, _e, rule) in zip(rows, scores):
        if r["role"] == "test" and r["source"] == "ours-vi-b" and r["label"] == 1 and score >= BLOCK_THRESHOLD and r["group"]:
            layer = rule.split(":")[0] if ":" in rule.split(" ")[0] else "rules"
            by_layer[layer].append(attack_kind(rule) == r["group"])
            by_layer["all"].append(attack_kind(rule) == r["group"])
    return {k: _rate(v) for k, v in sorted(by_layer.items())}


def _rate(xs: list[bool]) -> dict:
    return {"n": len(xs), "flagged": int(sum(xs)), "rate": round(sum(xs) / len(xs), 4) if xs else None}


def summarise(rows: list[dict], flagged: list[bool]) -> dict:
    pools: dict[str, list[bool]] = defaultdict(list)
    attacks_by_lang: dict[str, list[bool]] = defaultdict(list)
    kinds: dict[str, list[bool]] = defaultdict(list)
    benign_instr: list[bool] = []
    for r, f in zip(rows, flagged):
        key = r["pool"]
        if r["source"].startswith("ours-vi"):
            key = f"{r['source']}:{'attack' if r['label'] else 'benign'}:{r['pool'].split(':')[1]}"
        pools[key].append(f)
        if r["role"] == "test" and r["label"] == 1 and r["source"] != "ours-vi-a":
            attacks_by_lang[r["lang"]].append(f)
        if r["role"] == "test" and r["label"] == 1 and r["source"].startswith("ours-vi"):
            kinds[f"{r['source']}:{r['kind']}"].append(f)
        if r["role"] == "test" and r["label"] == 0 and r["source"].startswith("ours-vi"):
            benign_instr.append(f)
    xq = pools.get("xquad_vi:dev", []) + pools.get("xquad_vi:test", [])
    res = {"pools": {k: _rate(v) for k, v in sorted(pools.items())},
           "heldout_recall_by_lang": {k: _rate(v) for k, v in sorted(attacks_by_lang.items())},
           "xquad_vi_all": _rate(xq), "benign_instructions_test": _rate(benign_instr),
           "personal_data_dev": _rate(pools.get("pii_handwritten:dev", [])),
           "personal_data_test": _rate(pools.get("pii_handwritten:test", [])),
           "ours_by_kind": {k: _rate(v) for k, v in sorted(kinds.items())}}
    return res


def print_table(res: dict) -> None:
    layers = list(res["layers"])
    w = sys.stdout.write
    head = "".join(f"{LAYER_NAMES[x]:>34}" for x in layers)
    w(f"{'pool (role)':44}{'n':>6}{head}\n")
    first = res["layers"][layers[0]]
    for pool, m in first["pools"].items():
        cells = "".join(f"{res['layers'][x]['pools'][pool]['rate']:>26.3f} ({res['layers'][x]['pools'][pool]['flagged']:>5})"
                        for x in layers)
        w(f"{pool:44}{m['n']:>6}{cells}\n")
    w("\nheld-out attack recall by language (test, out of distribution):\n")
    for lang, m in first["heldout_recall_by_lang"].items():
        cells = "".join(f"{res['layers'][x]['heldout_recall_by_lang'][lang]['rate']:>34.3f}" for x in layers)
        w(f"  {lang:42}{m['n']:>6}{cells}\n")
    for key, label in (("xquad_vi_all", "XQuAD-vi, all 1,190 questions (FP)"),
                       ("benign_instructions_test", "our benign instructions, test rows (FP)"),
                       ("personal_data_dev", "personal-data rows blocked, dev"),
                       ("personal_data_test", "personal-data rows blocked, test")):
        cells = "".join(f"{res['layers'][x][key]['rate'] or 0:>34.3f}" for x in layers)
        w(f"  {label:42}{first[key]['n']:>6}{cells}\n")
    last = res["layers"][layers[-1]]["explained_kind"]
    if last:
        w("\nexplanation names the row's own kind (ours-vi-b attacks caught, " + LAYER_NAMES[layers[-1]] + "): "
          + ", ".join(f"{k} {m['rate']:.2f} of {m['n']}" for k, m in last.items()) + "\n")
    w("\nseconds: " + ", ".join(f"{LAYER_NAMES[x]} {res['layers'][x]['seconds']}" for x in layers) + "\n")


def main(argv=None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--json", action="store_true", help="print JSON")
    ap.add_argument("--layers", default="rules,similarity,all", help="rules, similarity, all (comma-separated)")
    ap.add_argument("--embedding-model", default="e5-small", help="the embedder (ASSISTANT_EMBEDDING_MODEL)")
    ap.add_argument("--limit", type=int, default=0, help="at most N rows per pool (a quick look)")
    ap.add_argument("--out", help="also write the JSON to this file")
    args = ap.parse_args(argv)
    if not SHARED.is_dir():
        sys.stderr.write(f"no shared data folder at {SHARED}\n")
        return 2
    from assistant.embeddings import get_embedder

    emb = CachingEmbedder(get_embedder(args.embedding_model))
    res = run([x.strip() for x in args.layers.split(",") if x.strip()], emb, limit=args.limit)
    res["embedding_model"] = emb.name
    if args.out:
        Path(args.out).write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
    if args.json:
        print(json.dumps(res, ensure_ascii=False, indent=1))
    else:
        print_table(res)
    return 0


if __name__ == "__main__":
    sys.exit(main())
