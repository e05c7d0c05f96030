"""Prompt injection and jailbreak detection, layered and scored.

1. Cheap rules (regular expressions, vi + en), the explainable first layer: orders to drop the
   rules, role-play and "unrestricted mode" jailbreaks, system-prompt extraction, chat-template
   tokens, invisible Unicode (tag characters, zero-width runs), encoded payloads (base64/hex that
   decode to instructions). Techniques, not names: no persona literal from a red-team set.
2. Similarity to a bank of known attacks (``prompts/guard/injection_bank.yaml``) with the
   embedding model the app uses; the bank is encoded once per process. Only texts that address
   the assistant (a cheap cue test) or are long are embedded.
3. The learned classifier (``assistant.guard.classifier``): character n-grams + multilingual
   embeddings, trained offline on sources the figures are not measured on.
4. An LLM judge (``assistant.guard.judge``), only when a model is configured; skipped when it errors.

``assistant.guard.inputs.injection_scores`` runs the layers; the caller blocks at
``BLOCK_THRESHOLD``. ``attack_kind(rule)`` / ``attack_label(rule)`` turn a rule or layer name into
the kind of attack the trainee is told about, in words (``guard.attack_kind.<kind>``).
"""
from __future__ import annotations

import base64
import binascii
import functools
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.resources import prompts_dir

BANK_PATH = prompts_dir() / "guard" / "injection_bank.yaml"
BLOCK_THRESHOLD = 0.5
SIM_THRESHOLD = 0.15  # margin (attack minus ordinary-request similarity) that counts as an attack; see docs/guardrails.md
# per embedding model: e5's similarities are compressed (everything is 0.7-0.9 apart), so its margins are smaller;
# chosen on the dev pools (<= 1 % false positives on XQuAD-vi dev, dev corpus questions, ours-vi-a dev benign rows)
SIM_THRESHOLDS = {"multilingual-e5-small-q4": 0.04}

_F = re.I | re.S


@dataclass
class Evidence:
    rule: str
    start: int
    end: int
    score: float
    detail: str = ""


@dataclass
class InjectionResult:
    score: float = 0.0
    evidence: list[Evidence] = field(default_factory=list)
    layer: str = ""  # rules | similarity | judge

    @property
    def span(self) -> tuple[int, int]:
        if not self.evidence:
            return 0, 0
        e = max(self.evidence, key=lambda x: x.score)
        return e.start, e.end


# (name, weight, pattern). Weights add up (capped at 1.0); one strong rule is enough to block.
_RULES: list[tuple[str, float, re.Pattern]] = [(n, w, re.compile(p, _F)) for n, w, p in [
    # --- orders to drop or replace the rules
    ("ignore_instructions", 0.9,
     r"\b(?:ignore|disregard|forget|override|bypass|skip|drop|discard)\b[\w\s,'’-]{0,40}?\b(?:previous|prior|above|earlier|preceding|original|initial|all|any|your|the|system|these|those|every)\b[\w\s,'’-]{0,30}?\b(?:instructions?|rules?|prompts?|directions?|guidelines?|directives?|policies|policy|constraints?|restrictions?|programming|guardrails?|filters?)\b"),
    ("ignore_instructions_vi", 0.9,
     r"(?:bỏ\s*qua|phớt\s*lờ|lờ\s*đi|quên\s*(?:đi|hết|hết\s*đi)?|gạt\s*bỏ|vô\s*hiệu\s*hóa|không\s*cần\s*(?:tuân\s*theo|làm\s*theo|quan\s*tâm\s*(?:đến|tới))|đừng\s*(?:tuân\s*theo|làm\s*theo|quan\s*tâm\s*(?:đến|tới))|hủy\s*bỏ|bỏ\s*hết|xóa\s*bỏ)\s*(?:\S+\s+){0,6}?(?:hướng\s*dẫn|chỉ\s*dẫn|quy\s*tắc|nguyên\s*tắc|luật\s*lệ|chỉ\s*thị|mệnh\s*lệnh|lời\s*nhắc|ràng\s*buộc|giới\s*hạn|bộ\s*lọc|cài\s*đặt|thiết\s*lập|prompt)"),
    ("new_instructions", 0.6,
     r"\b(?:new|updated|real|actual|true)\s+(?:instructions?|rules?|system\s+prompt|directives?)\s*(?::|are|follow)|\byour\s+new\s+(?:task|role|instructions?|rules?|purpose)\b|(?:hướng\s*dẫn|quy\s*tắc|nhiệm\s*vụ|vai\s*trò)\s*mới\s*(?:của\s*bạn|là|:)"),
    # --- system prompt extraction
    ("sysprompt_extraction", 0.9,
     r"\b(?:show|reveal|print|repeat|output|display|tell|give|share|write|leak|dump|list|recite|summari[sz]e|translate|spell|what\s+(?:is|are|were))\b[\w\s,'’-]{0,40}?\b(?:system\s*prompt|initial\s+(?:prompt|instructions?)|original\s+(?:prompt|instructions?)|hidden\s+(?:prompt|instructions?)|(?:your|the)\s+(?:instructions|prompt|guidelines|configuration|rules)\s+(?:you\s+were\s+given|above|verbatim|word\s+for\s+word|in\s+full)|pre-?prompt|developer\s+(?:message|prompt)|instructions\s+(?:you|that\s+you)\s+(?:were|have\s+been)\s+given)"),
    ("sysprompt_extraction_2", 0.8,
     r"\b(?:(?:repeat|output|print|copy|return)\s+(?:everything|all|the\s+text|the\s+words|the\s+content)\s+(?:above|before|in\s+your\s+(?:system|context|prompt))|(?:text|words|everything)\s+(?:above|before)\s+(?:this|the\s+first)\s+(?:line|message)|what\s+were\s+you\s+told\s+before|beginning\s+of\s+(?:this|the)\s+conversation|what\s+are\s+your\s+(?:initial|original|first|secret|hidden)\s+(?:instructions|rules))"),
    ("sysprompt_extraction_vi", 0.9,
     r"(?:tiết\s*lộ|in\s*ra|hiển\s*thị|nhắc\s*lại|cho\s*(?:tôi|tui|mình)\s*(?:xem|biết)|chép\s*lại|xuất\s*ra|viết\s*ra|đọc\s*lại|liệt\s*kê|dịch)\s*(?:\S+\s+){0,6}?(?:system\s*prompt|prompt\s*hệ\s*thống|lời\s*nhắc\s*hệ\s*thống|chỉ\s*dẫn\s*(?:hệ\s*thống|ban\s*đầu|gốc|ẩn)|hướng\s*dẫn\s*(?:hệ\s*thống|ban\s*đầu|gốc|ẩn|đã\s*được\s*cung\s*cấp|bạn\s*(?:đã\s*)?(?:được|nhận))|cấu\s*hình\s*(?:của\s*bạn|hệ\s*thống)|quy\s*tắc\s*(?:ẩn|nội\s*bộ|ban\s*đầu|của\s*bạn))"),
    ("sysprompt_mention", 0.6,
     r"\bsystem[\s_-]*(?:prompt|message|instructions?)\b|\bsystemPrompt\b|\b(?:initial|starting|original|first)\s+(?:prompt|instructions?|directives?)\b|\binitiali[sz]ation\s+(?:string|text|prompt)\b|\bI\s+was\s+instructed\b|\bmy\s+instructions\s+are\b|not\s+supposed\s+to\s+tell\b|\b(?:repeat|recite|reproduce|output|print)\s+(?:\w+\s+){0,3}(?:above|this\s+entire\s+conversation|everything|word\s+for\s+word|verbatim)|(?:lời\s*nhắc|chỉ\s*dẫn|hướng\s*dẫn|cấu\s*hình|thông\s*điệp)\s*(?:hệ\s*thống|ban\s*đầu|gốc|ẩn|nội\s*bộ)\s*(?:của\s*(?:bạn|trợ\s*lý|AI|chatbot))|(?:bạn|trợ\s*lý)\s*(?:đã\s*)?được\s*(?:dặn|hướng\s*dẫn|cài\s*đặt|lập\s*trình)\s*(?:những\s*)?(?:gì|như\s*thế\s*nào|ra\s*sao)|(?:điều\s*gì|những\s*gì)\s*bạn\s*không\s*được\s*(?:phép\s*)?(?:nói|tiết\s*lộ)"),
    ("sysprompt_weak", 0.3,
     r"\bsystem[\s_-]*(?:configuration|config)\b|\b(?:hidden|secret|internal)\s+(?:prompt|instructions?|configuration|directives?|rules)\b|\b(?:initial|original)\s+configuration\b"),
    ("authority_override", 0.35,
     r"\b(?:administrator|admin|developer|maintenance|debug|god|sudo|root)\s+(?:override|mode|access|command)\b|\boverride\s*:|(?:quyền|chế\s*độ)\s*(?:quản\s*trị|admin|gỡ\s*lỗi|bảo\s*trì)"),
    # --- chat-template tokens and fake role headers
    ("chat_template", 0.95,
     r"<\|(?:im_start|im_end|system|user|assistant|begin_of_text|end_of_text|eot_id|start_header_id|end_header_id|endoftext)\|>|\[/?INST\]|<</?SYS>>|<start_of_turn>|<end_of_turn>|^\s*###\s*(?:system|instruction)\s*:|^\s*(?:system|hệ\s*thống)\s*:\s*(?:you|bạn)\b"),
    # --- role-play jailbreaks
    # techniques, not names: no persona literal copied from a red-team set (tests/test_guard_classifier.py checks)
    ("jailbreak_mode", 0.9,
     r"\bjail\s*-?\s*break(?:s|ed|ing)?\b|developer\s+mode|\b(?:god|unrestricted|unlimited|unfiltered|uncensored)\s+mode\b|chế\s*độ\s*(?:nhà\s*phát\s*triển|không\s*giới\s*hạn|bẻ\s*khóa|không\s*kiểm\s*duyệt)|bẻ\s*khóa"),
    ("no_limits", 0.55,
     r"\b(?:no|without\s+(?:any)?|free\s+(?:of|from)|not\s+bound\s+by|doesn'?t\s+have\s+any|don'?t\s+have\s+any|does\s+not\s+have\s+any|broken\s+free\s+of|no\s+longer\s+(?:bound|restricted))\s+(?:\w+\s+){0,3}?(?:restrictions?|limitations?|filters?|filtering|censorship|censored|rules|guidelines|ethics|ethical|morals?|moral|boundaries|limits|constraints|policies|content\s+polic(?:y|ies))\b|\bunfiltered\b|\buncensored\b|\bamoral\b|\bunethical\b|\bunrestricted\b|\b(?:can|could|able\s+to|allowed\s+to)\s+do\s+anything\b|(?:don'?t|do\s+not|doesn'?t|does\s+not|never|won'?t)\s+(?:need\s+to\s+)?(?:follow|care\s+about|abide\s+by|adhere\s+to)\s+(?:any\s+)?(?:ethics|ethical|morals?|rules|polic(?:y|ies)|guidelines|openai|laws?)|not\s+(?:care|worry)\s+about\s+(?:ethics|morals?|legality|laws?|rules)"),
    ("no_limits_vi", 0.55,
     r"(?:không\s*(?:có|bị|còn|hề)?\s*(?:bất\s*kỳ|bất\s*cứ)?\s*(?:giới\s*hạn|ràng\s*buộc|kiểm\s*duyệt|bộ\s*lọc|quy\s*tắc|nguyên\s*tắc\s*đạo\s*đức|đạo\s*đức)|vượt\s*qua\s*(?:mọi|các)?\s*(?:giới\s*hạn|bộ\s*lọc|kiểm\s*duyệt|rào\s*cản))(?!\s*(?:của\s*pháp\s*luật|pháp\s*lý))|(?:có\s*thể|được\s*phép)\s*làm\s*(?:mọi\s*thứ|mọi\s*điều|bất\s*(?:cứ|kỳ)\s*(?:điều|thứ)\s*gì)"),
    ("persona", 0.35,
     r"\b(?:you\s+are\s+(?:going\s+to|about\s+to)\s+(?:act|pretend|be|play|immerse|role)|from\s+now\s+(?:on\s*)?,?\s*(?:you|act|respond|answer|reply|your)|you\s+are\s+now\s+(?:a|an|in|called|named|[A-Z])|(?:you\s+will|you\s+must)\s+(?:only\s+)?(?:act|respond|answer|reply|behave)\s+(?:as|like|in\s+character)|behave\s+like|pretend\s+(?:to\s+be|you\s+are|that\s+you)|act\s+as\s+(?:a|an|my|if)\b|role-?\s*play|roleplay|stay\s+in\s+character|break\s+character|you\s+will\s+(?:now\s+)?(?:act|respond|answer|reply|simulate|play|be)\s+(?:as|like)|simulate\s+(?:a|an)\s+\w+|(?:answer|respond|reply)\s+(?:as|like)\s+(?:both|two)|two\s+(?:different\s+)?(?:responses|paragraphs|answers)|hypothetical\s+(?:response|scenario|story|ai)|evil\s+(?:ai|assistant|twin|bot)|character\s+(?:named|called)|fictional\s+(?:character|world|ai)|in\s+this\s+(?:hypothetical|fictional)|I\s+want\s+you\s+to\s+(?:act|pretend|be|play|become|answer|respond|simulate)|you\s+must\s+always|never\s+(?:refuse|decline|say\s+no|break)|never\s+(?:reminds?|tells?|warns?)|will\s+never\s+(?:refuse|tell|say)|can'?t\s+refuse|cannot\s+refuse|must\s+not\s+refuse|without\s+(?:question|hesitation|warning|refus))"),
    ("persona_vi", 0.4,
     r"(?:từ\s*(?:bây\s*giờ|giờ\s*trở\s*đi|nay)\s*(?:,\s*)?(?:bạn|mày|em|ngươi)|(?:hãy|bạn\s*hãy)?\s*đóng\s*vai|giả\s*vờ\s*(?:là|rằng|như)|giả\s*sử\s*bạn\s*là|nhập\s*vai|bạn\s*không\s*còn\s*là|bạn\s*là\s*một\s*(?:AI|trí\s*tuệ\s*nhân\s*tạo|trợ\s*lý)\s*(?:khác|mới|không)|(?:không\s*bao\s*giờ|đừng|không\s*được)\s*từ\s*chối|luôn\s*luôn\s*trả\s*lời|trả\s*lời\s*(?:mọi|tất\s*cả|bất\s*kỳ)\s*(?:câu\s*hỏi|yêu\s*cầu)\s*(?:mà\s*)?không)"),
    ("addressed_ai", 0.2,
     r"\b(?:chatgpt|gpt-?[345]|openai|language\s+model|\bLLM\b|AI\s+model|as\s+an\s+ai|large\s+language)\b"),
    ("output_format_trick", 0.25,
     r"\b(?:respond|reply|answer|start\s+(?:your|each|every)\s+(?:response|reply|answer|message|output))\s+(?:with|by\s+saying)\s*[\"“'\[]|(?:\[|\()(?:jailbreak|jailbroken|unfiltered|unrestricted|uncensored)\b|\bprefix\s+(?:your|each)\s+(?:response|answer)"),
    ("harm_request", 0.25,
     r"\b(?:how\s+to\s+(?:make|build|create|cook|synthesi[sz]e)\s+(?:a\s+)?(?:bomb|meth|drugs?|explosives?|weapons?|poison|malware|virus|ransomware)|illegal|malicious|offensive|explicit|nsfw|harmful|dangerous|violent|racist|sexual|swear|profanity|curse\s+words)\b"),
    ("obey_user", 0.3,
     r"\b(?:obey|comply\s+with|follow)\s+(?:all|any|every)\s+(?:of\s+)?(?:my|the\s+user'?s?)\s+(?:orders|commands|instructions|requests)|\bdo\s+whatever\s+(?:i|the\s+user)\s+(?:say|ask|want)|\bfully\s+immerse\b|(?:làm|tuân\s*theo)\s*(?:mọi|tất\s*cả|bất\s*cứ)\s*(?:điều|lệnh|yêu\s*cầu)\s*(?:tôi|người\s*dùng)"),
]]



def _fold(text: str) -> str:
    from assistant.guard.classifier import fold

    return fold(text)


# each rule with its accent-folded twin (None when folding changes nothing, i.e. an English-only rule)
_RULES_FOLDED = [(n, w, p, re.compile(_fold(p.pattern), _F) if _fold(p.pattern) != p.pattern else None)
                 for n, w, p in _RULES]
_REPEATABLE = {"persona", "persona_vi", "no_limits", "no_limits_vi"}
_TAG_CHARS = re.compile("[\U000e0000-\U000e007f]+")
_ZERO_WIDTH_RUN = re.compile("[\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u180e]{3,}")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u180e]")
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
_B64 = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{24,}={0,2}(?![A-Za-z0-9+/=])")
_HEX = re.compile(r"(?<![0-9A-Fa-f])(?:[0-9A-Fa-f]{2}[ :]?){16,}(?![0-9A-Fa-f])")
_CUES = re.compile(
    r"\b(?:you|your|yourself|assistant|ai|chatbot|bot|model|gpt|prompt|instruction|instructions|rules?|pretend|act|role|character|ignore|system|respond|reply|answer|mode)\b"
    r"|(?:bạn|mày|trợ\s*lý|hệ\s*thống|hướng\s*dẫn|chỉ\s*dẫn|quy\s*tắc|đóng\s*vai|nhập\s*vai|giả\s*vờ|bỏ\s*qua|lệnh|prompt|chế\s*độ|trả\s*lời)", re.I)


def _readable(s: str) -> bool:
    if len(s) < 12:
        return False
    printable = sum(1 for c in s if c.isprintable() or c in "\n\t")
    letters = sum(1 for c in s if c.isalpha() or c == " ")
    return printable / len(s) > 0.95 and letters / len(s) > 0.7


def decode_payloads(text: str) -> list[tuple[int, int, str, str]]:
    """Hidden text: (start, end, kind, decoded) for tag characters, base64 and hex runs."""
    out = []
    for m in _TAG_CHARS.finditer(text):
        hidden = "".join(chr(ord(c) - 0xE0000) for c in m.group(0) if 0x20 <= ord(c) - 0xE0000 < 0x7F)
        out.append((m.start(), m.end(), "tag_chars", hidden))
    for m in _B64.finditer(text):
        raw = m.group(0)
        if raw.isdigit() or raw.isalpha() and (raw.islower() or raw.isupper()):
            continue
        try:
            dec = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=False).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            continue
        if _readable(dec):
            out.append((m.start(), m.end(), "base64", dec))
    for m in _HEX.finditer(text):
        raw = re.sub(r"[ :]", "", m.group(0))
        try:
            dec = bytes.fromhex(raw).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            continue
        if _readable(dec):
            out.append((m.start(), m.end(), "hex", dec))
    return out


_QUOTED = re.compile(r"[\"“«‘']([^\"”»’\n]{1,240})[\"”»’']")
_EXAMPLE = re.compile(r"(?:ví\s*dụ|chẳng\s*hạn|như\s*là|kiểu\s*như|như|e\.g\.|for\s+example|for\s+instance|such\s+as|like)\W{0,6}$", re.I)


def _mention_spans(text: str) -> list[tuple[int, int]]:
    """Quoted examples in explanatory text: (ví dụ "bỏ qua các hướng dẫn trước"), (e.g. "ignore ...")."""
    out = []
    for m in _QUOTED.finditer(text):
        if _EXAMPLE.search(text[max(0, m.start() - 40):m.start()]):
            out.append((m.start(), m.end()))
    return out


# A short question *about* attacks ("Jailbreak là gì?", "What is prompt injection and how do staff spot it?",
# "mấy câu kiểu 'quên hết hướng dẫn trước' là tấn công đúng ko?"): asking is not doing. Written from our own
# training sentences (evals/datasets/injection_train_about.jsonl) and the training rows, never from test rows.
_ABOUT = re.compile(
    r"\bl[àa]\s*g[ìi]\b|\bl[àa]\s*sao\b|l[àa]\s*(?:như\s*)?th[ếe]\s*n[àa]o|th[ếe]\s*n[àa]o\s*l[àa]|ngh[ĩi]a\s*l[àa]\s*g[ìi]"
    r"|hi[ểe]u\s*th[ếe]\s*n[àa]o|c[óo]\s*ph[ảa]i\s*(?:l[àa]\s*)?(?:\S+\s+){0,3}?(?:t[ấa]n\s*c[ôo]ng|l[ừu]a|jailbreak)"
    r"|(?:l[àa]|ki[ểe]u|lo[ạa]i|d[ạa]ng)\s*t[ấa]n\s*c[ôo]ng|\b(?:đúng|dung)\s*(?:không|khong|ko|k)\b"
    r"|nh[ậa]n\s*(?:bi[ếe]t|di[ệe]n|ra)|ph[áa]t\s*hi[ệe]n|ph[òo]ng\s*(?:tr[áa]nh|ch[ốo]ng|ng[ừu]a)|đ[ốo]i\s*ph[óo]|c[ảa]nh\s*b[áa]o"
    r"|t[ậa]p\s*hu[ấa]n|b[àa]i\s*gi[ảa]ng|gi[ảa]i\s*th[íi]ch\s*(?:cho|v[ềe]|kh[áa]i\s*ni[ệe]m|th[ếe]\s*n[àa]o|v[ìi]\s*sao|t[ạa]i\s*sao)"
    r"|t[ạa]i\s*sao|v[ìi]\s*sao|nguy\s*hi[ểe]m|kh[áa]c\s*nhau|gi[ảa]i\s*th[íi]ch|l[àa]\s*(?:chi[êe]u|tr[òo]|m[ẹe]o)"
    r"|\bg[ìi]\s*(?:v[ậa]y|th[ếe]|nh[ỉi]|đ[âa]y)?\s*\?|ho[ạa]t\s*đ[ộo]ng\s*(?:ra\s*sao|th[ếe]\s*n[àa]o|nh[ưu]\s*th[ếe]\s*n[àa]o)"
    r"|\bwhat(?:'s|\s+is|\s+are|\s+does|\s+do)\b|\bhow\s+(?:do|does|can|could|should|would|to)\b|\bwhy\s+(?:is|are|do|does|did|would|should)\b"
    r"|\bis\s+(?:this|it|that)\s+(?:an?\s+)?(?:attack|jailbreak|injection|prompt\s+injection|scam|phishing|safe|dangerous)"
    r"|\bexplain\b|\bexamples?\s+of\b|\bdifference\s+between\b|\bwarn(?:ing|s)?\b|\btraining\b|\bawareness\b|\brecogni[sz]e\b|\bspot\b",
    re.I)
# reporting one seen in a document: "I found a line saying '…'. What should I do?", "thấy một dòng ghi '…', nên làm gì?"
_REPORT = re.compile(
    r"\bwhat\s+(?:should|must|do)\s+(?:i|we)\s+do\b|\b(?:n[êe]n|ph[ảa]i)\s*l[àa]m\s*g[ìi]\b"
    r"|\b(?:found|saw|noticed|came\s+across)\s+(?:a|an|this|the)\s+(?:line|sentence|text|passage|note|paragraph|instruction)"
    r"|\b(?:th[ấa]y|g[ặa]p|ph[áa]t\s*hi[ệe]n)\s*(?:c[óo]\s*)?(?:m[ộo]t\s*)?(?:d[òo]ng|c[âa]u|đo[ạa]n|l[ờo]i|l[ệe]nh)\b",
    re.I)
# ... unless it speaks to the assistant about its own rules or orders it ("your system prompt", "của bạn", "hãy")
_ADDRESSED = re.compile(
    r"\byour\b|\byou\s+(?:are|were|have\s+been|will|must|should|can\s+now)\b|\bfrom\s+now\b|\bnow\s+you\b"
    r"|c[ủu]a\s*(?:b[ạa]n|m[àa]y|ng[ưu][ơo]i)\b|\b(?:b[ạa]n|m[àa]y)\s*(?:ph[ảa]i|l[àa]|đ[ãa]|đ[ưu][ợo]c|kh[ôo]ng\s*c[òo]n)\b"
    r"|\bb[ạa]n\s*(?:h[ãa]y\s*)?(?:l[àa]m|tr[ảa]\s*l[ờo]i|b[ậa]t|t[ắa]t|b[ỏo]|qu[êe]n|đ[óo]ng\s*vai|in|ch[ée]p|n[óo]i|vi[ếe]t)\b"
    r"|t[ừu]\s*(?:b[âa]y\s*gi[ờo]|gi[ờo]\s*tr[ởo]\s*đi|nay)"
    # ... or tells it to carry out the quoted text ("làm theo đi", "follow it", "do what it says")
    r"|l[àa]m\s*(?:theo|đúng\s*nh[ưu])|th[ựu]c\s*hi[ệe]n\s*(?:theo|l[ệe]nh|c[âa]u|d[òo]ng)|\bfollow\s+(?:it|this|that|them|the)\b"
    r"|\bdo\s+(?:it|what\s+it\s+says|as\s+it\s+says)\b|\bobey\b|\bexecute\b|\bcomply\b",
    re.I)
_ANY_QUOTE = re.compile(r"[\"“«‘]([^\"”»’\n]{1,240})[\"”»’]|(?:(?<=\s)|^)'([^'\n]{1,240})'")
ABOUT_MAX_CHARS = 400
# rules that only name an attack ("jailbreak", "system prompt", "chế độ quản trị"): nothing left when the text asks about it
_TERM_RULES = {"jailbreak_mode", "sysprompt_mention", "sysprompt_weak", "addressed_ai", "authority_override"}
# cue rules (persona, no limits …): half weight when the text asks about them
_CUE_RULES = {"persona", "persona_vi", "no_limits", "no_limits_vi", "output_format_trick", "harm_request", "obey_user",
              "new_instructions", "sysprompt_extraction", "sysprompt_extraction_2", "sysprompt_extraction_vi"}


def asks_about(text: str) -> bool:
    """A short question or request *about* attacks, not addressed to the assistant's own rules."""
    if len(text) > ABOUT_MAX_CHARS:
        return False
    f = _fold(text)
    asked = _ABOUT.search(text) or _ABOUT.search(f) or _REPORT.search(text) or _REPORT.search(f)
    return bool(asked) and not (_ADDRESSED.search(text) or _ADDRESSED.search(f))


def for_layers(text: str) -> str:
    """What the similarity and learned layers read: a report of an attack seen in a document, without the attack
    it quotes ("thấy một dòng ghi '…', tôi nên làm gì?"), so the quote is judged as a mention, as the rules do."""
    if not (_REPORT.search(text) or _REPORT.search(_fold(text))) or not asks_about(text):
        return text
    return _ANY_QUOTE.sub("«…»", text)


def rule_score(text: str, depth: int = 0, document: bool = False) -> InjectionResult:
    """Weighted rules. ``document=True`` (index time): a quoted example introduced by "ví dụ", "e.g.",
    "such as" … is a mention, not an instruction, and does not count. A short question about attacks
    (``asks_about``): a quoted attack is a mention, a rule that only names an attack does not count, and a
    persona / no-limits cue weighs half; orders outside quotes count in full."""
    res = InjectionResult(layer="rules")
    total = 0.0
    about = depth == 0 and asks_about(text)
    mentions = _mention_spans(text) if document else []
    if about:
        mentions += [(m.start(), m.end()) for m in _ANY_QUOTE.finditer(text)]
    # Vietnamese typed without diacritics ("bo qua huong dan"): the rules also run, accent-folded, on the folded
    # text (folding keeps every position, so spans still point into the original)
    folded = _fold(text)
    if len(folded) != len(text):
        folded = None
    for name, weight, pat, fpat in _RULES_FOLDED:
        p, subject = (fpat, folded) if fpat is not None and folded is not None else (pat, text)
        m = p.search(subject)
        if m and mentions:
            m = next((x for x in p.finditer(subject) if not any(a <= x.start() and x.end() <= b for a, b in mentions)), None)
        if m and about and name in _TERM_RULES:
            m = None
        if m:
            w = weight
            if name in _REPEATABLE:  # two different persona/no-limits cues weigh more than one
                kinds = {x.group(0).lower() for x in p.finditer(subject)
                         if not any(a <= x.start() and x.end() <= b for a, b in mentions)}
                w = weight * min(2, max(1, len(kinds)))
            if about and name in _CUE_RULES:
                w *= 0.5
            res.evidence.append(Evidence(name, m.start(), m.end(), w, text[m.start():m.end()][:80]))
            total += w
    for m in _TAG_CHARS.finditer(text):
        res.evidence.append(Evidence("invisible_unicode", m.start(), m.end(), 0.9, "tag characters"))
        total += 0.9
        break
    zw = _ZERO_WIDTH_RUN.search(text)
    if zw or len(_ZERO_WIDTH.findall(text)) >= 6:
        s, e = (zw.start(), zw.end()) if zw else (0, len(text))
        res.evidence.append(Evidence("invisible_unicode", s, e, 0.7, "zero-width characters"))
        total += 0.7
    if _BIDI.search(text) and len(_BIDI.findall(text)) >= 2:
        b = _BIDI.search(text)
        res.evidence.append(Evidence("invisible_unicode", b.start(), b.end(), 0.4, "bidi controls"))
        total += 0.4
    if depth == 0:
        for s, e, kind, dec in decode_payloads(text):
            inner = rule_score(dec, depth=1)
            sc = 0.9 if inner.score >= BLOCK_THRESHOLD else (0.6 if _CUES.search(dec) else 0.0)
            if kind == "tag_chars":
                sc = max(sc, 0.9)
            if sc:
                res.evidence.append(Evidence(f"encoded_{kind}", s, e, sc, dec[:80]))
                total += sc
    res.score = min(1.0, total)
    return res


# ------------------------------------------------------------------ similarity layer
_BANK_LOCK = threading.Lock()
_BANK: dict = {}


@functools.lru_cache(maxsize=1)
def _bank() -> tuple[list[str], list[str], list[str]]:
    data = yaml.safe_load(BANK_PATH.read_text(encoding="utf-8")) or {}
    attacks: list[str] = []
    cats: list[str] = []
    for cat, items in (data.get("attacks") or {}).items():
        for x in items:
            if str(x).strip():
                attacks.append(str(x).strip())
                cats.append(str(cat))
    benign = [str(x).strip() for x in (data.get("benign") or []) if str(x).strip()]
    return attacks, benign, cats


def load_bank() -> tuple[list[str], list[str]]:
    """(attacks, benign references) from ``prompts/guard/injection_bank.yaml``."""
    attacks, benign, _ = _bank()
    return attacks, benign


def _bank_vectors(embedder):
    key = getattr(embedder, "name", id(embedder))
    with _BANK_LOCK:
        vec = _BANK.get(key)
        if vec is None:
            attacks, benign = load_bank()
            vec = _BANK[key] = (embedder.encode(attacks), embedder.encode(benign))
        return vec


def is_vietnamese(text: str) -> bool:
    from assistant.loaders import detect_lang

    return detect_lang(text) == "vi"


def segments(text: str) -> list[str]:
    """The windows a text is embedded in (the classifier's, so one encoding serves both layers)."""
    from assistant.guard.classifier import windows

    return windows(text)


def addresses_assistant(text: str) -> bool:
    """Cheap cue test: the text talks to or about the assistant, its rules or its role (or is long)."""
    return bool(_CUES.search(text)) or len(text) > 300


def needs_similarity(text: str, embedder=None) -> bool:
    """Embed only texts that address the assistant (or are long), and - with an English-only
    model - only texts that are not Vietnamese (its Vietnamese vectors are noise)."""
    if not addresses_assistant(text):
        return False
    multilingual = bool(getattr(embedder, "multilingual", False)) if embedder is not None else _default_multilingual()
    return multilingual or not is_vietnamese(text)


@functools.lru_cache(maxsize=1)
def _default_multilingual() -> bool:
    try:
        from assistant.embeddings import get_embedder

        return bool(get_embedder().multilingual)
    except Exception:  # noqa: BLE001
        return False


def similarity_from_vectors(vectors: list, embedder) -> list[tuple[float, int, str]]:
    """For each text's window vectors: (margin, window, bank category of the nearest attack), where
    margin = best similarity to an attack minus best similarity to an ordinary request."""
    import numpy as np

    att, ben = _bank_vectors(embedder)
    cats = _bank()[2]
    out = []
    for vec in vectors:
        if vec is None or not len(vec):
            out.append((-1.0, -1, ""))
            continue
        sa = vec @ att.T
        margin = sa.max(axis=1) - (vec @ ben.T).max(axis=1)
        j = int(np.argmax(margin))
        out.append((float(margin[j]), j, cats[int(np.argmax(sa[j]))]))
    return out


def similarity_scores(texts: list[str], embedder=None) -> list[tuple[float, int]]:
    """For each text: (margin, window) over the text's windows (see ``similarity_from_vectors``)."""
    if embedder is None:
        from assistant.embeddings import get_embedder

        embedder = get_embedder()
    wins = [segments(t) for t in texts]
    flat = [w for ws in wins for w in ws]
    vec = embedder.encode(flat) if flat else None
    per, k = [], 0
    for ws in wins:
        per.append(vec[k:k + len(ws)] if ws else None)
        k += len(ws)
    return [(m, j) for m, j, _ in similarity_from_vectors(per, embedder)]


def sim_threshold(embedder=None) -> float:
    """The margin that counts as an attack for this embedder (``SIM_THRESHOLDS``, else ``SIM_THRESHOLD``)."""
    return SIM_THRESHOLDS.get(getattr(embedder, "name", ""), SIM_THRESHOLD)


def sim_to_score(margin: float, threshold: float = SIM_THRESHOLD) -> float:
    """Map the margin onto the 0..1 attack score (``threshold`` -> BLOCK_THRESHOLD; the slope scales with it)."""
    if margin >= threshold:
        return min(1.0, BLOCK_THRESHOLD + (margin - threshold) * 2 * SIM_THRESHOLD / threshold)
    return max(0.0, BLOCK_THRESHOLD * margin / threshold) if margin > 0 else 0.0


# ------------------------------------------------------------------ what the trainee is told
# rule or layer -> the kind of attack (wording: guard.attack_kind.<kind> in prompts/messages_guard.yaml)
RULE_KINDS = {
    "ignore_instructions": "ignore_instructions", "ignore_instructions_vi": "ignore_instructions",
    "new_instructions": "ignore_instructions",
    "sysprompt_extraction": "sysprompt_extraction", "sysprompt_extraction_2": "sysprompt_extraction",
    "sysprompt_extraction_vi": "sysprompt_extraction", "sysprompt_mention": "sysprompt_extraction",
    "sysprompt_weak": "sysprompt_extraction",
    "authority_override": "authority", "chat_template": "context_switch",
    "jailbreak_mode": "jailbreak_persona", "no_limits": "jailbreak_persona", "no_limits_vi": "jailbreak_persona",
    "obey_user": "jailbreak_persona", "persona": "roleplay", "persona_vi": "roleplay",
    "output_format_trick": "output_format", "invisible_unicode": "encoding",
    "encoded_base64": "encoding", "encoded_hex": "encoding", "encoded_tag_chars": "encoding",
}
BANK_KINDS = {"override_rules": "ignore_instructions", "persona_jailbreak": "jailbreak_persona",
              "sysprompt_extraction": "sysprompt_extraction", "injected_document": "hidden_instructions"}
ATTACK_KINDS = ("ignore_instructions", "sysprompt_extraction", "hidden_instructions", "translation_trick", "encoding",
                "roleplay", "jailbreak_persona", "authority", "payload_splitting", "emotional_pressure",
                "refusal_suppression", "output_format", "context_switch", "data_exfiltration", "disable_guard", "generic")


def attack_kind(rule: str) -> str:
    """The kind of attack behind a rule or layer name: ``ignore_instructions_vi`` -> ``ignore_instructions``,
    ``classifier:roleplay 0.91`` -> ``roleplay``, ``similarity:override_rules_vi 0.21`` -> ``ignore_instructions``."""
    name = (rule or "").split(" ")[0]
    if ":" in name:
        layer, kind = name.split(":", 1)
        if layer == "similarity":
            kind = BANK_KINDS.get(re.sub(r"_(?:en|vi)$", "", kind), "")
        return kind if kind in ATTACK_KINDS else "generic"
    return RULE_KINDS.get(name, "generic")


def attack_label(rule: str) -> dict:
    """The kind of attack in words, ``{"vi": ..., "en": ...}`` (no internal code in it)."""
    from assistant.messages import t

    key = f"guard.attack_kind.{attack_kind(rule)}"
    return {"vi": t(key, "vi"), "en": t(key, "en")}
