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


def main() -> None:
    from assistant.config import load_settings
    from assistant.ui import launch

    launch(load_settings())


if __name__ == "__main__":
    main()
