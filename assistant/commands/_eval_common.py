"""Small helpers shared by the ``eval`` commands (printing figures, split order, the --split flag)."""
from __future__ import annotations

SPLIT_HELP = "which split to compute and print: dev, test or both (default both; thresholds are checked on test)"


def split_arg(p) -> None:
    p.add_argument("--split", choices=["dev", "test", "both"], default="both", help=SPLIT_HELP)


def fmt(x, ms: bool = False) -> str:
    if x is None:
        return "–"
    if ms:
        return f"{x:.1f}"
    return f"{x:.3f}" if isinstance(x, float) else str(x)


def order(splits) -> list[str]:
    """Test first (the figure to quote), then dev."""
    return [s for s in ("test", "dev") if s in splits]
