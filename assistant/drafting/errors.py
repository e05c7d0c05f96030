"""Input errors of a draft, worded by the fields' visible labels in Vietnamese or English.

One :class:`DraftInputError` carries every problem one validation pass found (``.errors``), each naming
its field; ``.field`` and ``.code`` are the first one's (what the CLI and the API returned before the
list existed). Parts of a message that depend on the language are :class:`Wording` until shown.
"""
from __future__ import annotations

from assistant.messages import t

# The order of the Draft form (and of the error list): the components of Điều 8, top to bottom.
ORDER = ("parent_agency", "agency", "number", "code", "place", "date", "subject", "addressees", "legal_bases",
         "proposer", "issuer", "points", "executors", "invitees", "attendees", "signer_authority", "signer_body",
         "signer_head", "signer_title", "signer_name", "secretary_name", "recipients", "unit")
KNOWN = set(ORDER)


def label(field: str, lang: str = "vi") -> str:
    """The field's label as the Draft form shows it (the internal name only for an unknown field)."""
    return t(f"drafting.field.{field}", lang) if field in KNOWN else field


class Wording:
    """Part of a message worded only when the message is shown, in its language: a message key with
    its values (``Wording("drafting.input.reason.day", day=30, ...)``), or a field's label."""

    def __init__(self, key: str, **kw):
        self.key, self.kw = key, kw

    @classmethod
    def label(cls, field: str) -> Wording:
        return cls(f"drafting.field.{field}")

    def render(self, lang: str) -> str:
        return t(self.key, lang, **{k: worded(v, lang) for k, v in self.kw.items()})


def worded(v, lang: str):
    """A value inside a message in ``lang``: a Wording, an error with its own ``message(lang)``, or as is."""
    if isinstance(v, Wording):
        return v.render(lang)
    if isinstance(v, BaseException):
        return v.message(lang) if callable(getattr(v, "message", None)) else str(v)
    return v


class DraftInputError(ValueError):
    """Missing or malformed fields. ``errors`` lists every problem (each a DraftInputError of its own);
    ``field``/``code`` are the first one's; ``message(lang)`` says what to fix, by the fields' labels."""

    def __init__(self, code: str, field: str = "", errors: list | None = None, **kw):
        self.code, self.field, self.kw = code, field, kw
        self.errors: list[DraftInputError] = list(errors) if errors else [self]
        super().__init__(self.message("en", keys=True))

    @classmethod
    def of(cls, errors: list) -> DraftInputError:
        first = errors[0]
        return cls(first.code, first.field, errors=errors, **first.kw)

    def _one(self, lang: str, keys: bool) -> str:
        kw = {k: worded(v, lang) for k, v in self.kw.items()}
        text = t(f"drafting.input.{self.code}", lang, label=label(self.field, lang), **kw)
        if keys and self.field in KNOWN:  # the CLI: the key as written in the JSON file
            text += " " + t("drafting.input.key", lang, field=self.field)
        return text

    def messages(self, lang: str = "vi", keys: bool = False) -> list[str]:
        return [e._one(lang, keys) for e in self.errors]

    def message(self, lang: str = "vi", keys: bool = False) -> str:
        """Every problem, one a line. ``keys=True`` adds each field's JSON key (for the CLI)."""
        return "\n".join(self.messages(lang, keys))

    def as_list(self, lang: str = "vi") -> list[dict]:
        return [{"field": e.field, "code": e.code, "label": label(e.field, lang), "message": e._one(lang, False)}
                for e in self.errors]
