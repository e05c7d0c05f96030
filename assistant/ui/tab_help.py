"""Tab "Hướng dẫn / Help": how to use each tab, in the chosen language."""
from __future__ import annotations

import gradio as gr

from assistant.ui.context import Ctx


def build(ctx: Ctx) -> None:
    ctx.reg.add(gr.Markdown(elem_id="help"), value="help.body")
