"""Start the web app: ``python app.py`` serves http://ASSISTANT_HOST:ASSISTANT_PORT (default 127.0.0.1:7860).

Settings come from ASSISTANT_* variables and .env (see README). Index the corpus first: ``make run`` does both.
"""
from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def main() -> int:
    import sys

    from assistant.config import SettingsError, load_settings

    try:
        settings = load_settings()
    except SettingsError as exc:  # a wrong value in the environment or .env: say which, no traceback
        sys.stderr.write(str(exc).rstrip() + "\n")
        return 2
    from assistant.ui import launch

    launch(settings)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
