"""What every tab needs: settings, services, accounts, the label registry and shared components."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistant.config import Settings
from assistant.ui.auth import Accounts
from assistant.ui.i18n import Registry, norm_lang
from assistant.ui.services import Services


@dataclass
class Ctx:
    settings: Settings
    services: Services
    accounts: Accounts
    reg: Registry = field(default_factory=Registry)
    exercises_dir: str | None = None
    c: dict[str, Any] = field(default_factory=dict)  # shared components by name (lang, private, tabs, question...)

    def who(self, request) -> dict:
        user = getattr(request, "username", None) or ""
        return {"session": getattr(request, "session_hash", "") or "", "user": user,
                "role": self.accounts.role(user or None)}

    def is_trainer(self, request) -> bool:
        return self.accounts.role_of(request) == "trainer"

    @staticmethod
    def lang(value) -> str:
        return norm_lang(value)
