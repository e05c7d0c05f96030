"""The Gradio web app (``python app.py``): shell and tabs, private uploads, accounts, logs, export, API.

- ``build_app(settings)`` -> gr.Blocks  (``assistant.ui.shell``)
- ``prepare(settings)``   -> (demo with queue, launch kwargs)
- ``launch(settings)``    serves http://ASSISTANT_HOST:ASSISTANT_PORT
"""
from __future__ import annotations


def build_app(settings, exercises_dir=None):
    from assistant.ui.shell import build_app as _build

    return _build(settings, exercises_dir)


def prepare(settings, exercises_dir=None):
    from assistant.ui.shell import prepare as _prepare

    return _prepare(settings, exercises_dir)


def launch(settings, **kw):
    from assistant.ui.shell import launch as _launch

    return _launch(settings, **kw)
