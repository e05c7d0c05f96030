"""The shape of the code: which package may import which, and how long a module may grow.

Core modules (everything in ``assistant/`` except the faces) never import the faces (``assistant.ui``,
``assistant.commands``, ``assistant.cli``) or the eval runners (``assistant.evals``); the eval runners
never import the CLI. Only ``assistant/llm.py`` builds a chat model. A module over 300 lines needs a
note in docs/code-path.md saying why.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "assistant"
FACES = ("assistant.ui", "assistant.commands", "assistant.cli", "assistant.__main__")
MAX_LINES = 300


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth (lazy imports inside functions included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.level:
                base = module_name(path).split(".")
                base = base[: len(base) - node.level + (1 if path.name == "__init__.py" else 0)]
                out.add(".".join(base + [node.module]))
            else:
                out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
    return out


def modules():
    return [(module_name(p), p) for p in sorted(PKG.rglob("*.py"))]


def is_under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def test_core_never_imports_the_faces_or_the_evals():
    bad = []
    for name, path in modules():
        if any(is_under(name, f) for f in FACES) or is_under(name, "assistant.evals"):
            continue
        for imp in imports(path):
            if any(is_under(imp, f) for f in FACES + ("assistant.evals",)):
                bad.append(f"{name} imports {imp}")
    assert not bad, bad


def test_evals_never_import_the_cli():
    bad = [f"{name} imports {imp}" for name, path in modules() if is_under(name, "assistant.evals")
           for imp in imports(path) if any(is_under(imp, f) for f in ("assistant.commands", "assistant.cli"))]
    assert not bad, bad


def test_only_the_model_client_builds_a_chat_model():
    bad = []
    for name, path in modules():
        if name == "assistant.llm":
            continue
        text = path.read_text(encoding="utf-8")
        if any(is_under(i, "langchain_openai") or is_under(i, "openai") for i in imports(path)):
            bad.append(f"{name} imports an OpenAI client")
        if re.search(r"\bChatOpenAI\s*\(|\bbuild_chat\s*\(", text):
            bad.append(f"{name} builds a chat model")
    assert not bad, bad


def test_long_modules_are_explained():
    notes = (ROOT / "docs" / "code-path.md").read_text(encoding="utf-8")
    long = {path.relative_to(ROOT).as_posix(): n for _name, path in modules()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    missing = [f"{p} ({n} lines)" for p, n in long.items() if f"`{p}`" not in notes.split("## Long modules", 1)[-1]]
    assert not missing, f"modules over {MAX_LINES} lines without a note in docs/code-path.md: {missing}"
