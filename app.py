"""Start the web app: ``python app.py`` serves http://ASSISTANT_HOST:ASSISTANT_PORT (default 127.0.0.1:7860)."""
from __future__ import annotations

import os

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def main() -> None:
    import gradio as gr

    from assistant.config import load_settings
    from assistant.retrieval import get_retriever

    settings = load_settings()

    def ask(message, history):
        hits = get_retriever(settings).search(message, settings.top_k)
        if not hits:
            return "Không tìm thấy đoạn văn bản nào phù hợp."
        return "\n\n".join(f"[{h.rank}] **{h.breadcrumb}**\n{h.passage[:400]}" for h in hits)

    demo = gr.ChatInterface(ask, title="Trợ lý thực hành AI")
    demo.queue(default_concurrency_limit=settings.concurrency)
    demo.launch(server_name=settings.host, server_port=settings.port)


if __name__ == "__main__":
    main()
