"""The class report's charts (matplotlib, no display needed): a heat map trainee × module of the best
knowledge-check score, before/after self-assessment bars, and the share at basic understanding per
module against the target. Axis labels and titles come from the message catalogue, in vi or en."""
from __future__ import annotations

import io

from assistant.messages import t


def _figure(width: float, height: float):
    """A figure outside pyplot's registry: nothing global, freed when the caller drops it (the app keeps
    no reference once a chart is sent)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=100)
    return fig, fig.subplots()


def _mod_labels(rep: dict, lang: str) -> list[str]:
    return [t("progress.module_short", lang, n=m) for m in rep["modules"]]


def heatmap(rep: dict, lang: str = "vi"):
    """Best knowledge-check score per trainee and module (empty cell: no check finished); ✓ = basic understanding."""
    import numpy as np

    import matplotlib

    names = [r["learner"] for r in rep["trainees"]]
    mods = rep["modules"]
    data = np.full((max(1, len(names)), max(1, len(mods))), np.nan)
    for i, r in enumerate(rep["trainees"]):
        for j, m in enumerate(mods):
            v = r["modules"][m]["kc_best"]
            if v is not None:
                data[i, j] = 100 * v
    fig, ax = _figure(2.2 + 1.05 * max(1, len(mods)), 1.6 + 0.42 * max(1, len(names)))
    cmap = matplotlib.colormaps["RdYlGn"].with_extremes(bad="#eeeeee")
    im = ax.imshow(np.ma.masked_invalid(data), cmap=cmap, vmin=0, vmax=100, aspect="auto")
    ax.set_xticks(range(len(mods)), _mod_labels(rep, lang))
    ax.set_yticks(range(len(names)), names or [""])
    ax.set_xlabel(t("progress.axis_module", lang))
    ax.set_ylabel(t("progress.axis_trainee", lang))
    ax.set_title(t("progress.chart_heatmap", lang), fontsize=11)
    for i, r in enumerate(rep["trainees"]):
        for j, m in enumerate(mods):
            cell = r["modules"][m]
            if cell["kc_best"] is None:
                label = "–"
            else:
                label = f"{round(100 * cell['kc_best'])}" + (" ✓" if cell["basic"] else "")
            dark = cell["kc_best"] is not None and not 0.25 < cell["kc_best"] < 0.8  # deep red or deep green
            ax.text(j, i, label, ha="center", va="center", fontsize=9, color="white" if dark else "#111111")
    bar = fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    bar.set_label(t("progress.axis_score", lang))
    fig.tight_layout()
    return fig


def before_after(rep: dict, lang: str = "vi"):
    """Mean self-assessment level (1–5) at the start and at the end, per module and for the course."""
    import numpy as np

    labels = [t("progress.course_short", lang)] + _mod_labels(rep, lang)
    before = [rep["course"]["sa_before_mean"]] + [rep["summary"][m]["sa_before_mean"] for m in rep["modules"]]
    after = [rep["course"]["sa_after_mean"]] + [rep["summary"][m]["sa_after_mean"] for m in rep["modules"]]
    x = np.arange(len(labels))
    fig, ax = _figure(1.6 + 0.95 * len(labels), 3.4)
    w = 0.38
    b1 = ax.bar(x - w / 2, [v or 0 for v in before], w, label=t("progress.before", lang), color="#93c5fd")
    b2 = ax.bar(x + w / 2, [v or 0 for v in after], w, label=t("progress.after", lang), color="#1d4ed8")
    for bars, vals in ((b1, before), (b2, after)):
        for rect, v in zip(bars, vals):
            if v is not None:
                ax.text(rect.get_x() + rect.get_width() / 2, rect.get_height() + 0.05, f"{v:.1f}", ha="center",
                        va="bottom", fontsize=8)
    ax.set_xticks(x, labels)
    ax.set_ylim(0, 6.3)
    ax.set_yticks([1, 2, 3, 4, 5])
    ax.set_ylabel(t("progress.axis_level", lang))
    ax.set_title(t("progress.chart_before_after", lang), fontsize=11)
    ax.legend(loc="upper center", fontsize=8, ncols=2, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def shares(rep: dict, lang: str = "vi"):
    """Share of the class at basic understanding per module (and all modules), with the target line."""
    labels = _mod_labels(rep, lang) + [t("progress.course_short", lang)]
    vals = [100 * rep["summary"][m]["share"] for m in rep["modules"]] + [100 * rep["course"]["share"]]
    target = 100 * rep["rule"]["target"]
    fig, ax = _figure(1.6 + 0.85 * len(labels), 3.2)
    colors = ["#15803d" if v >= target else "#b45309" for v in vals]
    bars = ax.bar(range(len(labels)), vals, color=colors, width=0.6)
    for rect, v in zip(bars, vals):
        ax.text(rect.get_x() + rect.get_width() / 2, v + 1.5, f"{round(v)} %", ha="center", va="bottom", fontsize=8)
    ax.axhline(target, color="#b91c1c", linestyle="--", linewidth=1.2)
    ax.text(len(labels) - 0.5, target + 1.5, t("progress.target_line", lang, target=f"{round(target)} %"),
            ha="right", va="bottom", fontsize=8, color="#b91c1c")
    ax.set_xticks(range(len(labels)), labels)
    ax.set_ylim(0, 112)
    ax.set_ylabel(t("progress.axis_share", lang))
    ax.set_title(t("progress.chart_shares", lang), fontsize=11)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def svg(fig) -> str:
    """The figure as inline SVG (sharp on paper)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    text = buf.getvalue()
    return text[text.find("<svg"):]


def png(fig, path) -> str:
    fig.savefig(path, format="png", bbox_inches="tight", dpi=110)
    return str(path)
