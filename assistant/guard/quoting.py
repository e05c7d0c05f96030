"""Retrieved text quoted as data in a prompt, so a passage cannot pose as an instruction."""
from __future__ import annotations

import re

def quote_as_data(text: str, lang: str = "vi") -> str:
    """Retrieved text between clear delimiters, defused so it cannot close the quote or fake a chat turn."""
    from assistant.messages import t

    opener, closer = t("guard.quote.open", lang), t("guard.quote.close", lang)
    body = text.replace("<<<", "‹‹‹").replace(">>>", "›››")
    body = re.sub(r"<\|([\w_]+)\|>", r"‹|\1|›", body)
    body = re.sub(r"\[(/?INST)\]", r"(\1)", body)
    body = re.sub(r"<(/?(?:start|end)_of_turn)>", r"‹\1›", body)
    body = re.sub(r"<</?SYS>>", "‹SYS›", body)
    return f"{opener}\n{body}\n{closer}"
