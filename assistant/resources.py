"""Where the package's run-time data lives: the ``prompts/`` folder (wording, task templates, UI labels,
guard banks, drafting templates, exercises, glossary, knowledge).

In the repository ``prompts/`` sits at the top level, beside ``assistant/``. An installed wheel carries
it as package data inside the package (``assistant/prompts/``, mapped in ``pyproject.toml``). This is
the one place that knows both layouts; every module asks ``prompts_dir()``.
"""
from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path


@functools.lru_cache(maxsize=1)
def prompts_dir() -> Path:
    """The ``prompts`` folder of the code that is running (installed copy first, else the source tree)."""
    package = Path(str(resources.files("assistant")))
    installed = package / "prompts"
    if installed.is_dir():
        return installed
    source = package.parent / "prompts"
    if source.is_dir():
        return source
    raise FileNotFoundError(f"no prompts folder: neither {installed} (installed package) nor {source} "
                            "(source tree); reinstall the package")
