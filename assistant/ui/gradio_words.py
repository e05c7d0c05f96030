"""Gradio's own words on the page (the tab menu, chat and copy buttons, file drop zones, tables, statuses read
to screen readers) in the app's language: Gradio's frontend has no Vietnamese and follows the browser's
locale, not the app's language switch, so a small script swaps them for the ``gradio.*`` labels of
``prompts/ui/gradio.yaml`` — in tooltips, aria-labels, placeholders and whole text nodes — whenever the page
changes or the language radio (``#lang``) is switched."""
from __future__ import annotations

import json

from assistant.ui.i18n import LANGS, catalogue

SCRIPT = """<script>
(() => {
  const W = %s;
  const lang = () => (document.querySelector('#lang input:checked') || {}).value || 'vi';
  const esc = s => s.replace(/[.*+?^${}()|[\\]\\\\]/g, '\\\\$&');
  const pats = W.map(w => ({w, res: w.from.map(f => new RegExp('^' + f.split(/\\{[a-z_]+\\}/).map(esc).join('(\\\\d+)') + '$'))}));
  const swap = (s, lg) => {
    const t = (s || '').trim();
    if (!t) return null;
    for (const p of pats) for (const re of p.res) {
      const m = t.match(re);
      if (m) { let i = 1; const out = p.w[lg].replace(/\\{[a-z_]+\\}/g, () => m[i++]); return out === t ? null : s.replace(t, out); }
    }
    return null;
  };
  const ATTRS = ['aria-label', 'title', 'placeholder', 'alt'];
  let busy = false;
  const run = (root) => {
    const lg = lang();
    busy = true;
    try {
      const els = root.querySelectorAll ? [root, ...root.querySelectorAll('[aria-label], [title], [placeholder], img[alt]')] : [];
      for (const el of els) for (const a of ATTRS) {
        if (!el.getAttribute || !el.hasAttribute(a)) continue;
        const v = swap(el.getAttribute(a), lg);
        if (v !== null) el.setAttribute(a, v);
      }
      const tw = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
      let n;
      while ((n = tw.nextNode())) {
        if (n.parentElement && n.parentElement.closest('#lang, .prose, .md, textarea')) continue;  // our own words
        const v = swap(n.nodeValue, lg);
        if (v !== null) n.nodeValue = v;
      }
    } finally { busy = false; }
  };
  const start = () => {
    run(document.body);
    new MutationObserver(ms => {
      if (busy) return;
      for (const m of ms) {
        if (m.type === 'characterData') { run(m.target.parentElement || document.body); continue; }
        if (m.type === 'attributes') {
          if (m.target.closest && m.target.closest('#lang')) { run(document.body); return; }
          run(m.target); continue;
        }
        for (const x of m.addedNodes) run(x.nodeType === 1 ? x : (x.parentElement || document.body));
      }
    }).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true,
                               attributeFilter: ATTRS.concat(['checked', 'aria-checked', 'class'])});
    document.addEventListener('change', e => { if (e.target.closest && e.target.closest('#lang')) setTimeout(() => run(document.body), 0); }, true);
  };
  if (document.body) start(); else document.addEventListener('DOMContentLoaded', start);
})();
</script>"""


def words() -> list[dict]:
    """Each of Gradio's phrases: what may be on the page (``from``: Gradio's text and both translations) and
    what to show in each language."""
    out = []
    for key, entry in sorted(catalogue().items()):
        if not key.startswith("gradio."):
            continue
        src = [entry["en"], entry["vi"]] + ([entry["gradio"]] if entry.get("gradio") else [])
        out.append({"from": list(dict.fromkeys(src)), **{lg: entry[lg] for lg in LANGS}})
    return out


def head() -> str:
    """The ``<script>`` for ``launch(head=...)``."""
    return SCRIPT % json.dumps(words(), ensure_ascii=False).replace("</", "<\\/")
