"""Check the hand-written guard datasets and print their counts.

    python evals/check_guard_data.py            # checks evals/datasets/
    python evals/check_guard_data.py some/dir   # checks another folder

Files checked (see evals/datasets/README-guard-data.md):
  injection_vi_attacks.jsonl, injection_vi_benign.jsonl, pii_handwritten.jsonl, markings_prose.jsonl

This script is independent of the guard it helps to measure: it imports nothing from `assistant`.
The format checks below restate the official number formats (CCCD, BHYT, mobile prefixes ...) so that a
typo in the data is caught; they are not the guard's recognisers.
Exit code 0 when every check passes, 1 otherwise (each problem is printed with file, line and reason).
"""
from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

INJECTION_FILES = {"injection_vi_attacks.jsonl": "attack", "injection_vi_benign.jsonl": "benign"}
PII_FILE = "pii_handwritten.jsonl"
MARKINGS_FILE = "markings_prose.jsonl"

ATTACK_KINDS = {
    "ignore_instructions", "roleplay", "authority", "sysprompt_extraction", "payload_splitting",
    "indirect_document", "translation_trick", "emotional_pressure", "fiction_framing", "obfuscation",
    "output_format", "refusal_suppression", "context_switch", "data_exfiltration", "disable_guard",
}
BENIGN_KINDS = {
    "task_instruction", "roleplay_benign", "rewrite", "translate", "question", "about_security",
    "pasted_document", "meta_question",
}
SOURCES = {"ours-vi-a", "ours-vi-b"}
SPLITS = {"dev", "test"}
PII_TYPES = {
    "pii.cccd", "pii.cmnd", "pii.phone", "pii.email", "pii.tax_code", "pii.bank_account", "pii.passport",
    "pii.name", "pii.address", "pii.dob", "pii.bhyt", "pii.plate", "pii.secret",
}

# Province / city codes of the 12-digit personal identification number (Circular 59/2021/TT-BCA, Art. 7,
# list of 63 provinces as it stood before the 2025 mergers).
PROVINCE_CODES = {
    "001", "002", "004", "006", "008", "010", "011", "012", "014", "015", "017", "019", "020", "022", "024",
    "025", "026", "027", "030", "031", "033", "034", "035", "036", "037", "038", "040", "042", "044", "045",
    "046", "048", "049", "051", "052", "054", "056", "058", "060", "062", "064", "066", "067", "068", "070",
    "072", "074", "075", "077", "079", "080", "082", "083", "084", "086", "087", "089", "091", "092", "093",
    "094", "095", "096",
}
# Mobile prefixes after the 2018 renumbering (Viettel, Vinaphone, Mobifone, Vietnamobile, Gmobile, Itel).
MOBILE_PREFIXES = {
    "032", "033", "034", "035", "036", "037", "038", "039", "086", "096", "097", "098",  # Viettel
    "081", "082", "083", "084", "085", "088", "091", "094",  # Vinaphone
    "070", "076", "077", "078", "079", "089", "090", "093",  # Mobifone
    "052", "056", "058", "092",  # Vietnamobile
    "059", "099",  # Gmobile
    "087",  # Itel
}
LANDLINE_PREFIXES = {"024", "028", "0225", "0236", "0292", "0234", "0222", "0251", "0274"}


def digits(s: str) -> str:
    return re.sub(r"\D", "", s)


def check_value(kind: str, value: str) -> str | None:
    """Reason why a span value does not look like its type, or None."""
    d = digits(value)
    if kind == "pii.cccd":
        if len(d) != 12:
            return "a CCCD has 12 digits"
        if d[:3] not in PROVINCE_CODES:
            return f"{d[:3]} is not a province code"
        if d[3] not in "0123":
            return "4th digit (century and sex) must be 0-3"
    elif kind == "pii.cmnd":
        if len(d) != 9:
            return "an old CMND has 9 digits"
    elif kind == "pii.phone":
        if d.startswith("84"):
            d = "0" + d[2:]
        if not d.startswith("0"):
            return "a phone number starts with 0 or +84"
        if len(d) == 10 and d[:3] in MOBILE_PREFIXES:
            return None
        if len(d) == 11 and (d[:3] in {"024", "028"} or d[:4] in LANDLINE_PREFIXES):
            return None
        return "not a mobile (10 digits, 2018 prefixes) or landline (11 digits, 02xx) number"
    elif kind == "pii.email":
        if not re.fullmatch(r"[\w.+-]+@[\w-]+(\.[\w-]+)+", value):
            return "not an e-mail address"
    elif kind == "pii.tax_code":
        if not re.fullmatch(r"\d{10}(-\d{3})?", value.replace(" ", "")):
            return "a tax code has 10 digits, or 10-3 for a dependent unit"
    elif kind == "pii.bank_account":
        if not 8 <= len(d) <= 19 or digits(value) != value.replace(" ", ""):
            return "a bank account has 8-19 digits"
    elif kind == "pii.passport":
        if not re.fullmatch(r"[A-Z]\d{7}", value):
            return "a passport number is one capital letter and 7 digits"
    elif kind == "pii.bhyt":
        v = value.replace(" ", "")
        if not re.fullmatch(r"[A-Z]{2}[1-5]\d{2}\d{10}", v):
            return "a BHYT card number is 2 letters + 1 benefit digit + 2 province digits + 10 digits"
    elif kind == "pii.plate":
        if not re.fullmatch(r"\d{2}[A-Z]{1,2}\d?[- ]\d{3}\.\d{2}", value):
            return "a plate looks like 29A-123.45 or 29B1-456.78"
    elif kind == "pii.dob":
        if not re.search(r"(19|20)\d\d", value):
            return "a date of birth carries a four-digit year"
    return None


class Report:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def bad(self, path: Path, line: int, reason: str) -> None:
        self.problems.append(f"{path.name}:{line}: {reason}")


def read_jsonl(path: Path, rep: Report) -> list[tuple[int, dict]]:
    if not path.exists():
        rep.bad(path, 0, "file is missing")
        return []
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            rep.bad(path, n, f"not valid JSON ({e.msg})")
            continue
        if not isinstance(obj, dict):
            rep.bad(path, n, "a line must be a JSON object")
            continue
        rows.append((n, obj))
    return rows


def need(path: Path, n: int, obj: dict, fields: dict, rep: Report) -> bool:
    ok = True
    for f, typ in fields.items():
        if not isinstance(obj.get(f), typ) or (typ is str and not obj[f].strip()):
            rep.bad(path, n, f"field '{f}' is missing or not a {typ.__name__}")
            ok = False
    return ok


def balance(path: Path, rep: Report, counter: dict, what: str, tolerance: int) -> None:
    for key, c in sorted(counter.items()):
        if abs(c["dev"] - c["test"]) > tolerance:
            rep.bad(path, 0, f"{what} {key}: dev {c['dev']} vs test {c['test']} is not balanced")


def table(title: str, counter: dict) -> None:
    print(f"  {title:<28} {'dev':>5} {'test':>5} {'all':>5}")
    for key, c in sorted(counter.items()):
        print(f"  {key:<28} {c['dev']:>5} {c['test']:>5} {c['dev'] + c['test']:>5}")


def check_injection(folder: Path, rep: Report) -> None:
    seen_text: dict[str, str] = {}
    for name, label in INJECTION_FILES.items():
        path = folder / name
        rows = read_jsonl(path, rep)
        ids: set[str] = set()
        kinds = ATTACK_KINDS if label == "attack" else BENIGN_KINDS
        by_src_kind: dict = defaultdict(lambda: Counter())
        by_src: dict = defaultdict(lambda: Counter())
        by_kind: dict = defaultdict(lambda: Counter())
        for n, o in rows:
            if not need(path, n, o, {"id": str, "text": str, "label": str, "kind": str, "lang": str,
                                     "source": str, "split": str}, rep):
                continue
            if o["id"] in ids:
                rep.bad(path, n, f"id {o['id']} is used twice")
            ids.add(o["id"])
            if o["label"] != label:
                rep.bad(path, n, f"label must be '{label}' in this file")
            if o["kind"] not in kinds:
                rep.bad(path, n, f"unknown kind '{o['kind']}'")
            if o["lang"] != "vi":
                rep.bad(path, n, "lang must be 'vi'")
            if o["source"] not in SOURCES:
                rep.bad(path, n, f"unknown source '{o['source']}'")
            if o["split"] not in SPLITS:
                rep.bad(path, n, f"split must be dev or test, not '{o['split']}'")
                continue
            key = " ".join(o["text"].lower().split())
            if key in seen_text:
                rep.bad(path, n, f"same text as {seen_text[key]}")
            seen_text[key] = o["id"]
            by_src_kind[(o["source"], o["kind"])][o["split"]] += 1
            by_src[o["source"]][o["split"]] += 1
            by_kind[o["kind"]][o["split"]] += 1
        if len(rows) < 240:
            rep.bad(path, 0, f"only {len(rows)} rows, at least 240 wanted")
        for k in kinds:
            for s in SOURCES:
                if (s, k) not in by_src_kind:
                    rep.bad(path, 0, f"kind {k} has no row in {s}")
        balance(path, rep, {f"{s}/{k}": c for (s, k), c in by_src_kind.items()}, "source/kind", 1)
        balance(path, rep, by_src, "source", 2)
        print(f"\n{name}: {len(rows)} rows")
        table("source", by_src)
        table("kind", by_kind)


def check_pii(folder: Path, rep: Report) -> None:
    path = folder / PII_FILE
    rows = read_jsonl(path, rep)
    ids: set[str] = set()
    rows_by_type: dict = defaultdict(lambda: Counter())
    spans_by_type: Counter = Counter()
    splits: Counter = Counter()
    lookalike_only = 0
    for n, o in rows:
        if not need(path, n, o, {"id": str, "text": str, "spans": list, "split": str}, rep):
            continue
        if o["id"] in ids:
            rep.bad(path, n, f"id {o['id']} is used twice")
        ids.add(o["id"])
        if o["split"] not in SPLITS:
            rep.bad(path, n, f"split must be dev or test, not '{o['split']}'")
            continue
        if "note" in o and not isinstance(o["note"], str):
            rep.bad(path, n, "note must be a string")
        splits[o["split"]] += 1
        types = set()
        for sp in o["spans"]:
            if not isinstance(sp, dict) or not isinstance(sp.get("type"), str) or not isinstance(sp.get("value"), str):
                rep.bad(path, n, "a span is {\"type\": ..., \"value\": ...}")
                continue
            if sp["type"] not in PII_TYPES:
                rep.bad(path, n, f"unknown span type '{sp['type']}'")
            if not sp["value"] or sp["value"] not in o["text"]:
                rep.bad(path, n, f"span value '{sp['value']}' is not a substring of the text")
            if sp["value"] != sp["value"].strip():
                rep.bad(path, n, f"span value '{sp['value']}' has spaces at its ends")
            why = check_value(sp["type"], sp["value"])
            if why:
                rep.bad(path, n, f"{sp['type']} '{sp['value']}': {why}")
            types.add(sp["type"])
            spans_by_type[sp["type"]] += 1
        if not o["spans"]:
            lookalike_only += 1
            types.add("(none)")
        for t in types:
            rows_by_type[t][o["split"]] += 1
    if len(rows) < 300:
        rep.bad(path, 0, f"only {len(rows)} rows, at least 300 wanted")
    if lookalike_only < 100:
        rep.bad(path, 0, f"only {lookalike_only} rows without personal data, at least 100 wanted")
    if splits["dev"] != splits["test"]:
        rep.bad(path, 0, f"dev {splits['dev']} vs test {splits['test']}: must be exactly half each")
    for t in PII_TYPES:
        if t not in rows_by_type:
            rep.bad(path, 0, f"no row holds {t}")
    balance(path, rep, rows_by_type, "rows with", 2)
    print(f"\n{PII_FILE}: {len(rows)} rows (dev {splits['dev']}, test {splits['test']}), "
          f"{lookalike_only} without personal data, {sum(spans_by_type.values())} spans")
    table("rows holding type", rows_by_type)
    print("  spans per type: " + ", ".join(f"{t} {c}" for t, c in sorted(spans_by_type.items())))


def check_markings(folder: Path, rep: Report) -> None:
    path = folder / MARKINGS_FILE
    rows = read_jsonl(path, rep)
    ids: set[str] = set()
    by_exp: dict = defaultdict(lambda: Counter())
    by_form: dict = defaultdict(lambda: Counter())
    for n, o in rows:
        if not need(path, n, o, {"id": str, "text": str, "expected": str, "form": str, "split": str}, rep):
            continue
        if o["id"] in ids:
            rep.bad(path, n, f"id {o['id']} is used twice")
        ids.add(o["id"])
        if o["expected"] not in {"block", "allow"}:
            rep.bad(path, n, f"expected must be block or allow, not '{o['expected']}'")
        if o["split"] not in SPLITS:
            rep.bad(path, n, f"split must be dev or test, not '{o['split']}'")
            continue
        by_exp[o["expected"]][o["split"]] += 1
        by_form[f"{o['expected']}/{o['form']}"][o["split"]] += 1
    for e in ("block", "allow"):
        total = by_exp[e]["dev"] + by_exp[e]["test"]
        if total < 60:
            rep.bad(path, 0, f"only {total} '{e}' rows, at least 60 wanted")
    balance(path, rep, by_exp, "expected", 1)
    balance(path, rep, by_form, "form", 1)
    print(f"\n{MARKINGS_FILE}: {len(rows)} rows")
    table("expected", by_exp)
    table("expected/form", by_form)


def main(argv: list[str]) -> int:
    folder = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent / "datasets"
    rep = Report()
    check_injection(folder, rep)
    check_pii(folder, rep)
    check_markings(folder, rep)
    print()
    if rep.problems:
        print(f"{len(rep.problems)} problem(s):")
        for p in rep.problems:
            print("  " + p)
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
