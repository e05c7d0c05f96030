"""Print the README's settings table from assistant.config.SPECS (README is checked against it by a test)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from assistant.config import SPECS  # noqa: E402


def table() -> str:
    rows = ["| Variable | Default | Meaning |", "|---|---|---|"]
    for s in SPECS:
        default = "(empty)" if s.default == "" else f"`{s.default}`"
        rows.append(f"| `{s.env}` | {default} | {s.help} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(table())
