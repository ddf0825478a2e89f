"""Report helpers: one call makes a table or figure appear in the report *and* in the run's
``tables/`` or ``figures/`` folder.

Inside a run started by ``evaluatie run``, the run folder comes from ``$EVALUATIE_RUN_DIR``;
in JupyterLab it is ``reports/_interactief/`` under the project root. Everything a reader sees is
Dutch and formatted nl-BE (:mod:`evaluatie.core.fmt`); everything exported is machine-readable:
UTF-8 CSV with comma separator and dot decimals, English column names.

Escaping: one rule. Prose (:func:`start`, :func:`heading`, :func:`text`, :func:`notice`, figure
captions) is Markdown written by us; every value from data or parameters inside it has gone through
:func:`evaluatie.core.fmt.literal` first, so it reads as itself. The rendering here is the second
line of defence: raw HTML is escaped, harmful link schemes are neutralised and images are shown as
their alt text (:data:`render_markdown`). Table cells, headers and captions are plain text and are
HTML-escaped here; alt texts are plain text too (the template escapes them). Figures are drawn with
matplotlib's mathtext off, so a ``$`` in a label is a dollar sign.

Typical notebook use::

    from evaluatie.publish import report as rp
    rp.start("Streefcijfers kansengroepen", params=locals_params)
    rp.table(df, "assessment", "Stand van zaken per kansengroep",
             labels={"group": "Kansengroep", "last_share_pct": "Aandeel"},
             formats={"last_share_pct": "pct1"})
    rp.figure(fig, "trend", alt="Lijngrafiek van ...")
    rp.ledger(ledger)
    rp.provenance(params)
"""

from __future__ import annotations

import base64
import contextlib
import html
import json
import os
import re
import textwrap
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import matplotlib as mpl
import matplotlib.pyplot as plt
import mistune
import numpy as np
import pandas as pd
from IPython.display import HTML, display
from matplotlib import cycler
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.text import Text
from matplotlib.ticker import Formatter

from evaluatie.core import fmt
from evaluatie.core.paths import root
from evaluatie.publish import provenance as prov
from evaluatie.publish.disclosure import DEFAULT_THRESHOLD, decision, no_counts, suppressed_mask
from evaluatie.publish.glossary import SIGN_CONVENTION, TERMS
from evaluatie.run.params import input_paths

__all__ = [
    "start", "run_dir", "table", "export", "figure", "ledger", "heading", "text", "notice",
    "provenance", "use_style", "axis_format", "legend_below", "figure_label", "PALETTE",
    "glossary", "sign_convention", "SIGN_CONVENTION", "narrow_style", "NARROW_WIDTH", "NARROW_FONT",
    "overflow", "fitted", "MIN_SCALE",
]

# Okabe-Ito: distinguishable with the common forms of colour blindness.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
_NAME = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")


def run_dir() -> Path:
    """The folder this report writes its tables and figures to."""
    env = os.environ.get("EVALUATIE_RUN_DIR")
    d = Path(env) if env else root() / "reports" / "_interactief"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _text(s: str) -> str:
    """Text for an element's content: ``<``, ``>`` and ``&`` escaped, quotes left as they are."""
    return html.escape(s, quote=False)


def _display(obj=None, *, raw: dict | None = None, metadata: dict | None = None) -> None:

    if raw is not None:
        display(raw, raw=True, metadata=metadata or {})
    else:
        display(obj)


class _SafeRenderer(mistune.HTMLRenderer):
    """mistune's HTML renderer for published prose: raw HTML is escaped (``escape=True``), a link
    (inline, reference or autolink) is shown as its text with the address in plain text beside it,
    never as a link a reader could follow, and an image is shown as its alt text, so a page never
    loads or points anywhere because of a label or a parameter's Markdown (``notes``, ``texts``)."""

    def link(self, text: str, url: str, title: str | None = None) -> str:
        shown = mistune.escape(url)
        return shown if text in (url, shown) else f"{text} ({shown})"

    def image(self, text: str, url: str, title: str | None = None) -> str:
        return text


#: Markdown -> HTML for everything a report says in prose (start, heading, text, notice, captions).
render_markdown = mistune.create_markdown(escape=True, renderer=_SafeRenderer(escape=True),
                                          plugins=["strikethrough", "table"])


def _markdown(md: str) -> None:
    """Show prose written in Markdown. Labels and parameters from other people's files reach the
    page inside such text, so it is rendered here, escaped (:data:`render_markdown`), and shown
    as HTML; the plain text stays beside it for tools that read the notebook."""
    _display(raw={"text/html": render_markdown(md), "text/plain": md})


# seaborn's "whitegrid" theme with our palette, as plain rcParams: the same look without importing
# seaborn in every report (tests/test_fmt.py checks it against sns.set_theme). Leaves out
# seaborn's default colormap, which only exists once seaborn is imported.
_THEME = {
    "axes.axisbelow": True, "axes.edgecolor": ".8", "axes.grid": True, "axes.labelcolor": ".15",
    "axes.labelsize": 12.0, "axes.linewidth": 1.25, "axes.titlesize": 12.0,
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans", "sans-serif"],
    "font.size": 12.0, "grid.color": ".8", "grid.linewidth": 1.0, "legend.fontsize": 11.0,
    "legend.title_fontsize": 12.0, "lines.solid_capstyle": "round", "patch.edgecolor": "w",
    "patch.force_edgecolor": True, "text.color": ".15", "xtick.bottom": False, "xtick.color": ".15",
    "xtick.labelsize": 11.0, "xtick.major.size": 6.0, "xtick.major.width": 1.25, "xtick.minor.size": 4.0,
    "xtick.minor.width": 1.0, "ytick.color": ".15", "ytick.labelsize": 11.0, "ytick.left": False,
    "ytick.major.size": 6.0, "ytick.major.width": 1.25, "ytick.minor.size": 4.0, "ytick.minor.width": 1.0,
}


def use_style() -> None:
    """Report figure style: colour-blind-safe palette (Okabe-Ito), seaborn's whitegrid look,
    readable sizes, no chart junk."""

    mpl.rcParams.update(_THEME)
    mpl.rcParams.update({
        "axes.prop_cycle": cycler(color=PALETTE),
        "figure.figsize": (8, 4.5),
        "figure.dpi": 100,
        "savefig.dpi": 150,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titleweight": "bold",
        # A fixed title height. With the default (None) matplotlib looks, at every layout pass
        # and draw, for top tick labels the title would have to clear; our axes have none, so
        # the title lands at the same place and a four-panel figure is drawn 0.2 s sooner.
        "axes.titley": 1.0,
        "axes.formatter.use_locale": False,
        # labels come from other people's files: "$x^2$" is text, not mathtext (which could also fail)
        "text.parse_math": False,
    })


def start(title: str, subtitle: str | None = None) -> None:
    """Begin a report: set the working directory to the project root (so params paths work the
    same in JupyterLab and in ``evaluatie run``), set the figure style and show the title.
    ``title`` and ``subtitle`` are Markdown: a title from the parameters goes through
    :func:`evaluatie.core.fmt.literal`."""
    os.chdir(root())
    use_style()
    _DECISIONS.clear()  # a report run again in the same kernel describes its own tables only
    md = f"# {title}"
    if subtitle:
        md += f"\n\n{subtitle}"
    _markdown(md)


def heading(title: str, level: int = 2) -> None:
    """A section heading (Markdown); a name from data or parameters in it goes through
    :func:`evaluatie.core.fmt.literal`."""
    _markdown("#" * level + " " + title)


def text(md: str) -> None:
    """Dynamic prose (Markdown), e.g. a summary sentence built from the results; values from data
    or parameters in it have gone through :func:`evaluatie.core.fmt.literal`."""
    _markdown(md)


def notice(md: str, kind: str = "info") -> None:
    """A framed notice: ``info``, ``warning`` or ``synthetic`` (example data, not real)."""

    labels = {"synthetic": "Synthetische voorbeeldgegevens", "warning": "Let op", "info": "Toelichting"}
    body = render_markdown(md)
    head = labels.get(kind, "Toelichting")
    _display(HTML(
        f'<aside class="ev-notice ev-notice-{html.escape(kind)}" role="note">'
        f"<strong>{head}</strong>{body}</aside>"
    ))


def sign_convention() -> None:
    """State, once per report and where the first gap appears, how gaps are signed
    (:data:`evaluatie.publish.glossary.SIGN_CONVENTION`): every gap in the report follows it."""
    _display(HTML(f'<p class="ev-convention"><strong>Zo lees je de kloof:</strong> {_text(SIGN_CONVENTION)}.</p>'))


def glossary(terms: Iterable[str], extra: Mapping[str, str] | None = None, conf: float = 0.95) -> None:
    """The section "Begrippen": the terms a reader meets in this report, in the order given, with
    the definitions of :data:`evaluatie.publish.glossary.TERMS`; ``extra`` adds definitions of terms
    only this report uses (plain text, escaped here). ``conf``: the report's confidence level, named
    where a definition says how sure an interval is. An unknown term is a programming error."""
    terms = list(terms)
    level = fmt.conf_level(conf)
    defs = {t: d.replace("{zekerheid}", level) for t, d in {**TERMS, **(extra or {})}.items()}
    unknown = [t for t in terms if t not in defs]
    if unknown:
        raise KeyError(f"no definition for {unknown}: add it to publish/glossary.py TERMS or pass extra=")
    items = "".join(f"<dt>{_text(t[:1].upper() + t[1:])}</dt><dd>{_text(defs[t])}</dd>" for t in terms)
    # heading and list in one output, so print keeps the heading with the first term
    _display(HTML(f'<h2>Begrippen</h2><dl class="ev-glossary">{items}</dl>'))


# --------------------------------------------------------------------------- tables

def _formatter(spec: str | Callable | None, series: pd.Series) -> Callable[[Any], str]:
    if callable(spec):
        return spec
    if spec is None:
        if pd.api.types.is_bool_dtype(series):
            return lambda v: fmt.MISSING if pd.isna(v) else ("ja" if v else "nee")
        if pd.api.types.is_integer_dtype(series):
            return lambda v: fmt.num(v, 0)
        if pd.api.types.is_float_dtype(series):
            return lambda v: fmt.num(v, 2)
        return lambda v: fmt.MISSING if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v)
    m = re.fullmatch(r"(int|num|pct|prop|pp|pval|eur|text|signed)(\d?)", spec)
    if not m:
        raise ValueError(f"unknown table format {spec!r}")
    kind, digits = m.group(1), m.group(2)
    d = int(digits) if digits else None
    table = {
        "int": lambda v: fmt.num(v, 0),
        "num": lambda v: fmt.num(v, 2 if d is None else d),
        "pct": lambda v: fmt.pct(v, 1 if d is None else d),
        "prop": lambda v: fmt.prop(v, 1 if d is None else d),
        "pp": lambda v: fmt.pp(v, 1 if d is None else d),
        "signed": lambda v: fmt.signed(v, 1 if d is None else d),
        "pval": fmt.pval,
        "eur": lambda v: fmt.eur(v, 0 if d is None else d),
        "text": lambda v: fmt.MISSING if v is None or (not isinstance(v, str) and pd.isna(v)) else str(v),
    }
    return table[kind]


def _check_name(name: str) -> None:
    if not _NAME.match(name):
        raise ValueError(f"table/figure name {name!r}: use lower-case letters, digits, '_' or '-'")


# a withheld cell: one mark for every withheld cell, whether it is small itself or would give a small one
# away (a mark of its own for the second kind would tell which cells are small)
WITHHELD = "x"
WITHHELD_HTML = f'<abbr title="niet getoond">{WITHHELD}</abbr>'

_DECISIONS: set[str] = set()  # what this kernel's tables were: "protected" and/or "no counts" (for provenance)


def _check_decided(data: pd.DataFrame, what: str) -> None:
    """Nothing is published that :mod:`evaluatie.publish.disclosure` did not decide on: a table comes
    from ``suppress``/``mark`` (cells withheld by the rule) or ``no_counts`` (declared free of counts
    of persons and employers, with a reason)."""
    d = decision(data)
    if d is not None:
        _DECISIONS.add("protected" if d == "protected" else "no counts")
        return
    raise ValueError(
            f"{what}: not decided by evaluatie.publish.disclosure — pass the table through suppress(), "
            "mark() or no_counts(reason) before publishing it")


def export(data: pd.DataFrame, name: str) -> None:
    """Write ``tables/<name>.csv`` (and so a sheet of ``tables.xlsx``) without showing it: for
    detail tables a report points to but does not print in full (per-cell intervals, per-entity
    assessments). Same format as :func:`table`: UTF-8, comma separator, dot decimals. Like
    :func:`table`, it refuses a table that did not go through :mod:`evaluatie.publish.disclosure`."""
    _check_name(name)
    _check_decided(data, f"table {name!r}")
    out = run_dir() / "tables"
    out.mkdir(exist_ok=True)
    data.to_csv(out / f"{name}.csv", index=False, encoding="utf-8")


def table(
    data: pd.DataFrame,
    name: str | None,
    caption: str,
    *,
    labels: Mapping[str, str] | None = None,
    formats: Mapping[str, str | Callable] | None = None,
    columns: Iterable[str] | None = None,
    highlight: Mapping[str, Mapping[Any, str]] | None = None,
    note: str | None = None,
    intervals: Mapping[str, str] | None = None,
) -> None:
    """Show ``data`` as a Dutch table and export it as ``tables/<name>.csv``.

    ``data`` keeps English column names and raw numbers; that is what the CSV gets (all columns).
    ``columns`` picks and orders what the reader sees, ``labels`` gives Dutch headers and
    ``formats`` a format per column (``int``, ``num2``, ``pct1`` for percent units, ``prop1`` for
    proportions, ``pp1``, ``pval``, ``eur``, ``text`` or a function). Cells marked in
    ``data.attrs["suppressed"]`` (a boolean frame from :func:`evaluatie.publish.disclosure.suppress`)
    are shown as ``x`` (niet getoond). ``highlight`` maps a column's raw values to a CSS class
    (``ev-good``, ``ev-warn``, ``ev-bad``) — colour only ever doubles what the text says.
    ``intervals`` maps a lower-bound column to its upper-bound column: the reader sees one column
    "lower tot upper" under the lower column's label (the CSV keeps both), which keeps a table of
    estimates with intervals within the text column. ``name=None`` shows the table without exporting
    it. Every table must come from
    :mod:`evaluatie.publish.disclosure` (``suppress``, ``mark`` or ``no_counts``); any other frame is
    refused, so no number reaches a report that the one disclosure module did not decide on.
    """
    if name is not None:
        export(data, name)
    else:
        _check_decided(data, f"table {caption[:40]!r}")
    _display_table(data, caption, labels=labels, formats=formats, columns=columns,
                   highlight=highlight, note=note, key=name or "tabel", intervals=intervals)


NBSP = "\u00a0"


def _display_table(data, caption, *, labels=None, formats=None, columns=None, highlight=None, note=None,
                   key="tabel", intervals=None):
    """The HTML of a report table. Work per column (type, formatter, values, mask) is done once,
    not per cell: pandas copies ``attrs`` on every column access."""


    labels = dict(labels or {})
    formats = dict(formats or {})
    highlight = dict(highlight or {})
    cols = list(columns) if columns is not None else list(data.columns)
    upper = {lo: hi for lo, hi in (intervals or {}).items() if lo in cols and hi in data.columns}
    cols = [c for c in cols if c not in upper.values()]
    mask = suppressed_mask(data)  # matched by row label: sorting or filtering after suppress() is safe
    threshold = data.attrs.get("suppression_threshold", 5)
    series = {c: data[c] for c in cols}
    isnum = {c: pd.api.types.is_numeric_dtype(x) and not pd.api.types.is_bool_dtype(x) for c, x in series.items()}
    fmts = {c: _formatter(formats.get(c), x) for c, x in series.items()}
    values = {c: x.tolist() for c, x in series.items()}
    masked = {c: mask[c].to_numpy() for c in cols if mask is not None and c in mask.columns}
    for lo, hi in upper.items():  # one "lower tot upper" column, withheld when either bound is
        f_lo, f_hi = fmts[lo], _formatter(formats.get(hi, formats.get(lo)), data[hi])
        values[lo] = [fmt.MISSING if pd.isna(a) and pd.isna(b)
                      else f"{f_lo(a).replace(' ', NBSP)} tot {f_hi(b).replace(' ', NBSP)}"  # wraps at 'tot' only
                      for a, b in zip(values[lo], data[hi].tolist())]
        fmts[lo] = str
        if mask is not None and hi in mask.columns:
            masked[lo] = masked.get(lo, mask[lo].to_numpy()) | mask[hi].to_numpy()
    num_class = ' class="ev-num"'
    head = "".join(
        f'<th scope="col"{num_class if isnum[c] else ""}>{_text(str(labels.get(c, c)))}</th>' for c in cols
    )
    body_rows = []
    for i in range(len(data)):
        cells = []
        for c in cols:
            v = values[c][i]
            if c in masked and masked[c][i]:
                text, cls = WITHHELD_HTML, "ev-suppressed"
            else:
                text, cls = _text(fmts[c](v)), ""
                if c in highlight:
                    try:
                        cls = highlight[c].get(v, "")
                    except TypeError:
                        cls = ""
            classes = " ".join(x for x in (cls, "ev-num" if isnum[c] else "", "ev-interval" if c in upper else "") if x)
            cells.append(f'<td class="{classes}">{text}</td>' if classes else f"<td>{text}</td>")
        body_rows.append("<tr>" + "".join(cells) + "</tr>")
    foot = f'<p class="ev-table-note">{_text(note)}</p>' if note else ""
    if mask is not None and bool(mask.to_numpy().any()):
        foot += (
            f'<p class="ev-table-note">{WITHHELD}: niet getoond, omdat de cel op minder dan '
            f"{int(threshold)} waarnemingen steunt of eruit afgeleid zou kunnen worden (bescherming tegen "
            "herkenning).</p>"
        )
    tid = _element_id("tab", key)
    _display(HTML(
        f'<div class="ev-table-block"><p class="ev-caption" id="{tid}">{_text(caption)}</p>'
        f'<div class="ev-table-wrap" role="region" tabindex="0" aria-labelledby="{tid}">'
        f'<table class="ev-table" aria-labelledby="{tid}">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body_rows)}</tbody></table></div>{foot}</div>"
    ))


_IDS_USED: dict[str, int] = {}


def _element_id(prefix: str, name: str) -> str:
    """An HTML id made from the table's name (``tab-<name>``), the same in every run, so two
    reports made from the same inputs are the same page (apart from the date they were made) and
    a table can be linked to (``report.html#tab-<name>``). A name used again in the same kernel
    (a cell run twice in JupyterLab) gets ``-2``, ``-3``, ... so ids stay unique on the page."""
    key = f"{prefix}-{name}"
    n = _IDS_USED.get(key, 0) + 1
    _IDS_USED[key] = n
    return key if n == 1 else f"{key}-{n}"


# --------------------------------------------------------------------------- figures

#: A figure's phone variant is drawn this wide (inches) with every text at least NARROW_FONT points:
#: shown across a 400 px phone's text column (368 CSS px in Chromium), 12 pt on 3,8 inches is 16,1 px, as
#: large as the body text there (0,97 rem = 15,5 px).
NARROW_WIDTH = 3.8
NARROW_FONT = 12.0


def narrow_style(on: bool = True):
    """The rc context to draw a figure's phone variant in: every font :data:`NARROW_FONT` points
    and the figure :data:`NARROW_WIDTH` inches wide (a builder sets the height for its panels,
    stacked in one column); ``on=False`` changes nothing, so a builder can say
    ``with rp.narrow_style(narrow):`` for both variants::

        with rp.narrow_style():
            small = plot_rates(data, narrow=True)
        rp.figure(fig, "rates", alt=..., narrow=small)
    """
    if not on:
        return contextlib.nullcontext()
    f = NARROW_FONT
    return mpl.rc_context({"font.size": f, "axes.titlesize": f, "axes.labelsize": f, "xtick.labelsize": f,
                           "ytick.labelsize": f, "legend.fontsize": f, "legend.title_fontsize": f,
                           "figure.titlesize": f, "figure.figsize": (NARROW_WIDTH, 4.0)})


def _layout(fig) -> None:
    # One layout pass and one draw per figure. A figure not laid out yet gets tight_layout here.
    # One laid out by a one-off tight_layout() keeps a placeholder engine, for which matplotlib
    # would draw the whole figure once more before saving; without it, saving is a single draw.
    # No bbox_inches="tight" either, which costs another pass: the test suite sets
    # EVALUATIE_CHECK_FIGURES, which fails any figure whose content reaches outside its canvas.
    if fig.get_layout_engine() is None:
        fig.tight_layout()
    if isinstance(fig.get_layout_engine(), PlaceHolderLayoutEngine):
        fig.set_layout_engine(None)


def _save(fig, path: Path) -> str:
    """Save ``fig`` as PNG at ``path``, close it, and return the PNG as base64."""
    # Fast zlib level: the same pixels, a slightly larger file, a fraction of the time.
    fig.savefig(path, dpi=150, metadata={"Software": None}, pil_kwargs={"compress_level": 1})
    plt.close(fig)
    return base64.b64encode(path.read_bytes()).decode("ascii")


def _check_narrow(fig, name: str) -> None:
    """Raise unless ``fig`` is a phone variant: :data:`NARROW_WIDTH` inches wide and no visible text
    smaller than :data:`NARROW_FONT` points (shown across a phone's text column, that is the body
    text's size)."""
    width = fig.get_size_inches()[0]
    if abs(width - NARROW_WIDTH) > 0.01:
        raise ValueError(f"smalle figuur {name!r} is {width:.2f} inch breed, verwacht {NARROW_WIDTH}")
    small = sorted({(round(t.get_fontsize(), 1), t.get_text()[:30]) for t in fig.findobj(Text)
                    if t.get_visible() and t.get_text().strip() and t.get_fontsize() < NARROW_FONT - 0.01})
    if small:
        raise ValueError(f"smalle figuur {name!r}: tekst kleiner dan {NARROW_FONT} pt: {small[:5]}")


def figure(fig, name: str, alt: str, caption: str | None = None, narrow=None) -> None:
    """Save ``fig`` as ``figures/<name>.png`` and show it with a Dutch ``alt`` text.

    The alt text says what the figure shows and its main message, for readers who cannot see it.
    It is plain text (labels as they are; the template escapes it); ``caption`` is Markdown, shown in
    italics, with values from data or parameters through :func:`evaluatie.core.fmt.literal`.

    ``narrow`` is the same figure drawn for a phone (:func:`narrow_style`: panels in one column,
    :data:`NARROW_WIDTH` inches, text at least :data:`NARROW_FONT` points): saved as
    ``figures/<name>_smal.png`` and shown instead of ``fig`` on screens narrower than 600 px
    (the report's stylesheet); print and wider screens show ``fig``.
    """

    _check_name(name)
    if not alt or not alt.strip():
        raise ValueError(f"figure {name!r} needs an alt text")
    out = run_dir() / "figures"
    out.mkdir(exist_ok=True)
    checking = bool(os.environ.get("EVALUATIE_CHECK_FIGURES"))
    meta = {"alt": alt}
    if narrow is not None:
        _layout(narrow)
        if checking:
            _check_narrow(narrow, name)
            _check_inside(narrow, name + "_smal")
        meta["narrow"] = _save(narrow, out / f"{name}_smal.png")
    _layout(fig)
    if checking:
        _check_inside(fig, name)
    data = _save(fig, out / f"{name}.png")
    _display(raw={"image/png": data, "text/plain": alt}, metadata={"image/png": meta})
    if caption:
        _markdown(f"*{caption}*")


_DIRECTION_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def figure_label(value, width: int = 40, max_lines: int = 3, *, scale: float = 1.0) -> str:
    """A label from data or parameters as a figure shows it (tick label, panel title, legend entry):
    plain text over at most ``max_lines`` lines of about ``width`` characters, white space and line
    breaks collapsed, words kept whole where they fit, a word longer than a line cut over lines; a
    longer label ends in "…". The full label stays in the tables and the alt text; a 5.000-character
    group name cannot push a figure off its canvas. Direction controls (U+202A–U+202E,
    U+2066–U+2069) are left out: matplotlib draws them as given, so one would turn the rest of a
    title around. Labels that fit are returned as they are.

    ``scale`` (the argument :func:`fitted` gives a builder) shortens the width to
    ``max(4, round(width * scale))`` characters; 1 leaves it as it is. Characters differ in width
    ('W' against 'i', CJK), so a count of characters alone cannot promise a label fits its place."""
    if scale != 1.0:
        width = max(4, round(width * scale))
    text = " ".join(str(value).translate(_DIRECTION_CONTROLS).split())
    if len(text) <= width:
        return text
    lines = textwrap.wrap(text, width)  # break_long_words: a word longer than width is cut
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return "\n".join(lines)


def legend_below(fig, handles, labels, *, ncol: int, fontsize: float | None = None, rect_top: float = 1.0):
    """One legend for the whole figure, centred under the plots, and a ``tight_layout`` that leaves
    exactly its height free, so nothing reaches outside the canvas. Columns are reduced until the
    legend fits the figure's width. Returns the legend (``None`` without labels: then only the
    layout)."""
    if not len(labels):
        fig.tight_layout(rect=(0, 0, 1, rect_top))
        return None
    renderer = fig.canvas.get_renderer()
    ncol = max(1, min(ncol, len(labels)))
    while True:
        leg = fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=ncol,
                         frameon=False, fontsize=fontsize)
        box = leg.get_window_extent(renderer)
        if box.width <= fig.bbox.width or ncol == 1:
            break
        leg.remove()
        ncol -= 1
    fig.tight_layout(rect=(0, min(0.5, (box.height + 0.04 * fig.dpi) / fig.bbox.height), 1, rect_top))
    return leg


_SIDES = ("links", "onder", "rechts", "boven")


def overflow(fig, tolerance_px: float = 2.0) -> dict[str, float]:
    """How far anything drawn on the laid-out ``fig`` (a legend, a label, a title) reaches past its
    canvas, where saving without ``bbox_inches="tight"`` would cut it off: centimetres per side
    (``links``, ``onder``, ``rechts``, ``boven``), only the sides past ``tolerance_px`` pixels; an
    empty dict when everything lies inside. Measured with matplotlib's ``Figure.get_tightbbox``
    (clipped artists count as far as they are drawn). The one measurement of :func:`figure`'s check
    under ``EVALUATIE_CHECK_FIGURES`` and of :func:`fitted`."""
    tight = fig.get_tightbbox(fig.canvas.get_renderer())  # inches
    box = fig.bbox_inches
    tol = tolerance_px / fig.dpi
    sides = dict(zip(_SIDES, (box.x0 - tight.x0, box.y0 - tight.y0, tight.x1 - box.x1, tight.y1 - box.y1)))
    return {k: v * 2.54 for k, v in sides.items() if v > tol}


def _check_inside(fig, name: str, tolerance_px: float = 2.0) -> None:
    """Raise when anything drawn on ``fig`` lies outside the canvas (:func:`overflow`)."""
    over = overflow(fig, tolerance_px)
    if over:
        where = ", ".join(f"{k} {v:.2f} cm" for k, v in over.items())
        raise ValueError(f"figuur {name!r} valt buiten het canvas ({where}): maak ruimte met tight_layout(rect=...)")


#: the smallest ``scale`` :func:`fitted` draws a figure's labels with (a fifth of their widths)
MIN_SCALE = 0.2


def fitted(build: Callable[[float], Any]):
    """The figure of ``build(scale)``, drawn with ``scale`` = 1 or, while it reaches past its canvas
    (:func:`overflow`), drawn again with the label widths shortened: ``scale`` 0.8, 0.64, … down to
    :data:`MIN_SCALE`. ``build`` passes ``scale`` to every :func:`figure_label` of a label from data or
    parameters and returns the laid-out figure. A figure that fits at 1 is the figure as it always
    was; the figures of the scales that did not fit are closed. A word longer than its shortened
    width is cut (:func:`figure_label`), so a label from data or parameters fits by then; what still
    reaches past the canvas at :data:`MIN_SCALE` is returned as drawn there (and refused by
    :func:`figure` under ``EVALUATIE_CHECK_FIGURES``). When a shorter drawing reaches past the
    canvas no less than the one before (what overflows is no label from data: a long axis title),
    the one before is returned: labels are not cut for nothing::

        def plot_groups(data, narrow=False):
            with rp.narrow_style(narrow):
                return rp.fitted(lambda scale: _plot_groups(data, narrow, scale))
    """
    scale = 1.0
    fig = build(scale)
    over = sum(overflow(fig).values())
    while over and scale * 0.8 >= MIN_SCALE:
        scale *= 0.8
        shorter = build(scale)
        less = sum(overflow(shorter).values())
        if less >= over - 0.01:  # cm: shortening the labels does not help
            plt.close(shorter)
            return fig
        plt.close(fig)
        fig, over = shorter, less
    return fig


def axis_format(ax, axis: str = "y", kind: str = "num", decimals: int = 0) -> None:
    """Dutch tick labels on ``ax``: ``kind`` is ``num``, ``pct`` (percent units) or ``prop``.

    ``decimals`` is a minimum: when the ticks fall between whole values (22,5%), as many decimals
    are added as needed for every label to be exact, so an axis never reads 22% for 22,5%."""
    axis_obj = ax.yaxis if axis == "y" else ax.xaxis
    axis_obj.set_major_formatter(_DutchFormatter(kind, decimals))


def _needed_decimals(step: float, minimum: int, maximum: int = 4) -> int:
    d = minimum
    while d < maximum and abs(round(step, d) - step) > 1e-9 * max(1.0, abs(step)):
        d += 1
    return d


class _DutchFormatter(Formatter):
    """A matplotlib tick formatter in nl-BE style that never rounds a tick label."""

    def __init__(self, kind: str, decimals: int):
        self._f = {"num": fmt.num, "pct": fmt.pct, "prop": fmt.prop}[kind]
        self._scale = 100.0 if kind == "prop" else 1.0
        self._decimals = decimals

    def __call__(self, x, pos=None):  # a single value (e.g. a cursor read-out)
        return self._f(x, self._decimals)

    def format_ticks(self, values):  # all ticks at once: enough decimals for every one
        vals = np.sort(np.asarray(values, dtype=float))
        d = self._decimals
        if vals.size > 1:
            d = _needed_decimals(float(np.min(np.diff(vals))) * self._scale, self._decimals)
        return [self._f(v, d) for v in values]


# --------------------------------------------------------------------------- ledger & provenance

LEDGER_STEPS = {"read": "ingelezen", "excluded": "uitgesloten", "analysed": "geanalyseerd"}


def ledger(*ledgers, name: str = "ledger", caption: str = "Verantwoording van de ingelezen rijen") -> None:
    """Show the row ledger(s) — rows read, excluded per reason, analysed — and export
    ``tables/<name>.csv``. Every report shows one, so every input row is accounted for. A report
    with two ledgers gives each its own ``caption`` (a page's table regions need distinct names)."""
    frames = []
    for led in ledgers:
        if led.read != led.excluded + led.analysed:  # pragma: no cover - Ledger guarantees it
            raise AssertionError(f"ledger of {led.source} does not add up")
        frames.append(led.to_frame())
    df = no_counts(pd.concat(frames, ignore_index=True),
                   "rows of the input files per processing step: every row is accounted for, none is a "
                   "breakdown of persons by a characteristic")
    table(df, name, caption, columns=["source", "step", "reason", "rows"],
          labels={"source": "Bron", "step": "Stap", "reason": "Reden", "rows": "Rijen"},
          formats={"rows": "int", "step": lambda v, m=LEDGER_STEPS: m.get(v, v),
                   "reason": lambda v: v if isinstance(v, str) and v else fmt.MISSING})


def provenance(params: Mapping[str, Any]) -> None:
    """The provenance section: inputs with SHA-256, parameters, software versions, date, commit.

    In a run by ``evaluatie run`` this reads the runner's own record (``provenance.json``), so the
    report and ``run.json`` agree; in JupyterLab it is computed here.
    """

    rec_path = run_dir() / "provenance.json"
    if os.environ.get("EVALUATIE_RUN_DIR") and rec_path.exists():
        rec = json.loads(rec_path.read_text(encoding="utf-8"))
    else:
        rec = {
            "parameters": dict(params),
            "inputs": prov.input_hashes(input_paths(params)),
            "versions": prov.versions(),
            "git_commit": prov.git_commit(),
            "started": prov.now_iso(),
        }
    heading("Herkomst van dit rapport")
    inputs = pd.DataFrame(sorted(rec["inputs"].items()), columns=["file", "sha256"])
    _display_table(inputs, "Invoerbestanden (SHA-256-vingerafdruk)", key="provenance-inputs",
                   labels={"file": "Bestand", "sha256": "SHA-256"})
    par = pd.DataFrame(
        [(k, json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v)
         for k, v in rec["parameters"].items()],
        columns=["key", "value"],
    )
    _display_table(par, "Parameters", labels={"key": "Parameter", "value": "Waarde"}, key="provenance-parameters")
    low = rec["parameters"].get("threshold")
    t = low if isinstance(low, int) and not isinstance(low, bool) else DEFAULT_THRESHOLD
    if "protected" in _DECISIONS:
        _markdown(f"**Bescherming van kleine aantallen.** Een cel over een groep (een afdeling, sector, entiteit of "
                  f"doelgroep) die op minder dan {t} personen, respondenten of vacatures steunt, staat er als "
                  f"'{WITHHELD}', en geen getal dat ervan afhangt (aantal, aandeel, interval, staaf in een figuur, zin) "
                  "wordt getoond. Kan zo'n cel worden teruggerekend uit andere cijfers van dit rapport (een totaal "
                  "min de getoonde delen), dan worden ook andere cellen verborgen, tot dat niet meer kan. Nullen "
                  "worden getoond. Cijfers over het geheel (de hele steekproef, grond of organisatie) worden altijd "
                  "getoond; ligt zo'n aandeel dicht bij 0% of 100%, dan ligt het aandeel van elke groep er ook "
                  "dichtbij.")
    elif _DECISIONS:
        _markdown("**Kleine aantallen.** Dit rapport bevat geen aantallen van personen of werkgevers met een "
                  "bepaald kenmerk (zoals een afdeling, sector of doelgroep); de regel voor kleine aantallen is "
                  "daarom niet van toepassing.")
    if isinstance(low, int) and not isinstance(low, bool) and low < DEFAULT_THRESHOLD:
        _markdown(f"**Lagere drempel voor kleine cellen.** Dit rapport toont cellen vanaf {low} personen of "
                  f"organisaties, minder dan de standaarddrempel van {DEFAULT_THRESHOLD}; de opdrachtgever koos dat "
                  "uitdrukkelijk (`allow_small_cells: true`).")
    ver = pd.DataFrame(sorted(rec["versions"].items()), columns=["package", "version"])
    _display_table(ver, "Software", labels={"package": "Pakket", "version": "Versie"}, key="provenance-software")
    commit = rec.get("git_commit") or "onbekend"
    _markdown(f"Gemaakt op {fmt.datetime_nl(rec['started'])} met evaluatie, versie van de code: `{commit}`.")
