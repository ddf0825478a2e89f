"""Dutch (nl-BE) number formatting, against hand-written expectations."""

import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluatie.core import fmt


@pytest.mark.parametrize(
    "func, args, expected",
    [
        (fmt.num, (1440,), "1.440"),
        (fmt.num, (1234567.891, 2), "1.234.567,89"),
        (fmt.num, (2.5, 1), "2,5"),
        (fmt.num, (0.05, 1), "0,1"),
        (fmt.pct, (33.6,), "33,6%"),
        (fmt.pct, (39.4, 1), "39,4%"),
        (fmt.prop, (0.0965, 2), "9,65%"),
        (fmt.prop, (0.0645, 2), "6,45%"),
        (fmt.pp, (-0.6,), "\u22120,6 pp"),
        (fmt.pp, (1.25, 2), "+1,25 pp"),
        (fmt.pp, (0.0,), "0,0 pp"),
        (fmt.pval, (0.0004,), "< 0,001"),
        (fmt.pval, (0.0234,), "0,023"),
        (fmt.pval, (0.41,), "0,41"),
        (fmt.eur, (236000,), "\u20ac\u00a0236.000"),
        (fmt.num, (math.nan,), "–"),
        (fmt.pct, (None,), "–"),
        (fmt.date_nl, ("2026-12-05T01:12:30+00:00",), "5 december 2026"),
        (fmt.datetime_nl, ("2026-12-05T01:12:30+00:00",), "5 december 2026, 01.12 u"),
    ],
)
def test_dutch_formats(func, args, expected):
    assert func(*args) == expected


def test_notice_renders_markdown(monkeypatch):
    shown = []
    monkeypatch.setattr("evaluatie.publish.report._display", lambda obj=None, **kw: shown.append(obj))
    from evaluatie.publish import report as rp

    rp.notice("Dit zijn **synthetische** gegevens.", kind="synthetic")
    html = shown[0].data
    assert "ev-notice-synthetic" in html and "<strong>synthetische</strong>" in html
    assert "Synthetische voorbeeldgegevens" in html


def test_suppressed_cells_follow_their_rows_after_sorting(monkeypatch):
    import pandas as pd

    from evaluatie.publish import report as rp
    from evaluatie.publish.disclosure import suppress

    shown = []
    monkeypatch.setattr("evaluatie.publish.report._display", lambda obj=None, **kw: shown.append(obj))
    t = suppress(pd.DataFrame({"group": ["a", "b", "c"], "n": [2, 50, 40]}), ["n"], threshold=5)
    rp._display_table(t.sort_values("group", ascending=False), "t")  # after suppression: c, b, a
    rows = shown[0].data.split("<tbody>")[1].split("</tr>")
    assert "<td>a</td>" in rows[2] and '<abbr title="niet getoond">x</abbr>' in rows[2]
    assert "niet getoond" not in rows[0] + rows[1]  # c (40) and b (50) stay visible


def test_table_text_is_escaped_but_quotes_stay(monkeypatch):
    import pandas as pd

    from evaluatie.publish import report as rp

    shown = []
    monkeypatch.setattr("evaluatie.publish.report._display", lambda obj=None, **kw: shown.append(obj))
    rp._display_table(pd.DataFrame({"label": ["<b>R&D</b> 'lopend' \"x\""]}), "'a' & \"b\"",
                      labels={"label": "Status ('incl.')"})
    page = shown[0].data
    assert "<td>&lt;b&gt;R&amp;D&lt;/b&gt; 'lopend' \"x\"</td>" in page
    assert ">'a' &amp; \"b\"</p>" in page and ">Status ('incl.')</th>" in page


def test_file_level_problem_reads_plainly():
    from evaluatie.core.errors import Problem

    p = Problem("x.csv", None, "vacancy", None, "een kolom met het vacaturenummer")
    assert str(p) == "bestand x.csv, kolom 'vacancy': verwacht een kolom met het vacaturenummer"


def test_axis_labels_are_never_rounded():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from evaluatie.publish import report as rp

    fig, ax = plt.subplots()
    ax.set_ylim(20, 42.5)
    ax.set_yticks([22.5, 25, 27.5, 30])
    rp.axis_format(ax, "y", "pct", 0)
    fig.canvas.draw()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["22,5%", "25,0%", "27,5%", "30,0%"]
    ax.set_yticks([20, 25, 30])
    fig.canvas.draw()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["20%", "25%", "30%"]
    ax.set_xlim(0, 0.4)
    ax.set_xticks([0.0, 0.1, 0.2])
    rp.axis_format(ax, "x", "prop", 0)
    fig.canvas.draw()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0%", "10%", "20%"]
    plt.close(fig)


def test_pandas_missing_values_format_as_dash():
    import pandas as pd

    assert fmt.num(pd.NA) == "–" and fmt.pct(pd.NA) == "–" and fmt.pval(pd.NA) == "–"


def test_report_style_equals_seaborn_whitegrid_with_our_palette():
    import subprocess
    import sys

    code = """
import matplotlib as mpl
from evaluatie.publish import report as rp
from matplotlib.colors import to_hex
def norm(k, v):
    return str([to_hex(c) for c in v.by_key()["color"]]) if k == "axes.prop_cycle" else str(v)
rp.use_style(); ours = {k: norm(k, v) for k, v in mpl.rcParams.items()}
mpl.rcdefaults()
import seaborn as sns
sns.set_theme(style="whitegrid", palette=rp.PALETTE)
theirs = {k: norm(k, v) for k, v in mpl.rcParams.items()}
diff = sorted(k for k in theirs if theirs[k] != ours[k] and k not in (
    "image.cmap", "figure.figsize", "figure.dpi", "savefig.dpi", "axes.spines.top", "axes.spines.right",
    "axes.titleweight", "axes.formatter.use_locale", "axes.titley", "text.parse_math"))
print(diff)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_dollar_in_a_figure_label_is_text_not_mathtext():
    """Labels come from other people's files: '$\\frac{$' is no formula (with mathtext on,
    drawing it raises a ParseException wrapped in a ValueError)."""
    import matplotlib.pyplot as plt

    from evaluatie.publish import report as rp

    rp.use_style()
    fig, ax = plt.subplots()
    ax.set_title("$\\frac{$ en $x^2$")
    ax.set_yticks([0], [rp.figure_label("$\\sqrt{")])
    fig.canvas.draw()
    assert ax.title.get_text() == "$\\frac{$ en $x^2$"
    plt.close(fig)


@pytest.mark.parametrize("text, expected", [
    ("Belgische naam", "Belgische naam"), ("women_total", "women_total"), ("plan_2018.csv", "plan_2018.csv"),
    ("_schuin_", "\\_schuin\\_"), ("a|b", "a\\|b"), ("**x**", "\\*\\*x\\*\\*"), ("<b>", "\\<b\\>"),
    ("# kop", "\\# kop"), ("- a", "\\- a"), ("12. x", "12\\. x"), ("12-3", "12-3"), ("N-1", "N-1"),
    ("a\r\n  b", "a b"), ("  c\t d ", "c  d"), ("&amp;", "\\&amp;"),
])
def test_literal_escapes_only_what_markdown_would_read(text, expected):
    assert fmt.literal(text) == expected


def test_figure_label_keeps_short_labels_and_shortens_long_ones():
    from evaluatie.publish.report import figure_label

    assert figure_label("Marokkaans klinkende naam", 30) == "Marokkaans klinkende naam"
    assert figure_label("eerste regel\ntweede regel") == "eerste regel tweede regel"
    long = figure_label("groepsnaam " * 500, 30)
    lines = long.split("\n")
    assert len(lines) == 3 and all(len(line) <= 30 for line in lines) and long.endswith("…")
    assert figure_label("x" * 100, 40, max_lines=1) == "x" * 39 + "…"


def test_export_writes_csv_without_showing(tmp_path, monkeypatch):
    import pandas as pd

    from evaluatie.publish import report as rp

    shown = []
    monkeypatch.setattr("evaluatie.publish.report._display", lambda obj=None, **kw: shown.append(obj))
    monkeypatch.setenv("EVALUATIE_RUN_DIR", str(tmp_path))
    from evaluatie.publish.disclosure import no_counts, suppress

    rp.export(no_counts(pd.DataFrame({"a": [1.5], "b": ["x"]}), "a test table"), "detail")
    assert (tmp_path / "tables" / "detail.csv").read_text(encoding="utf-8") == "a,b\n1.5,x\n"
    assert shown == []
    # nothing leaves without a disclosure decision: a plain frame is refused by export and table
    plain = pd.DataFrame({"group": ["a", "b"], "n": [3, 40]})
    for publish in (lambda: rp.export(plain, "plain"), lambda: rp.table(plain, "plain", "Tabel"),
                    lambda: rp.table(plain, None, "Tabel")):
        with pytest.raises(ValueError, match="not decided by evaluatie.publish.disclosure"):
            publish()
    assert not (tmp_path / "tables" / "plain.csv").exists() and shown == []
    rp.table(suppress(plain, "n"), "plain", "Tabel")
    assert (tmp_path / "tables" / "plain.csv").read_text(encoding="utf-8") == "group,n\na,\nb,40\n"
    assert '<abbr title="niet getoond">x</abbr>' in shown[-1].data


@settings(max_examples=3000, deadline=None)
@given(x=st.one_of(st.floats(allow_nan=False, allow_infinity=True, width=64),
                   st.floats(min_value=-1e7, max_value=1e7),
                   st.integers(min_value=-10**12, max_value=10**12),
                   st.decimals(min_value=-10**6, max_value=10**6, places=3).map(float)),
       decimals=st.integers(min_value=0, max_value=4))
def test_num_equals_babel(x, decimals):
    """fmt.num is written without Babel for speed; it must give Babel's nl-BE string exactly."""
    from babel.numbers import format_decimal

    v = round(float(x), decimals)
    try:
        expected = format_decimal(v, format="#,##0" + ("." + "0" * decimals if decimals else ""), locale="nl_BE")
    except ArithmeticError:  # Babel cannot quantize some huge values; ours still formats them
        expected = f"{Decimal(repr(v)):,.{decimals}f}".translate(str.maketrans(",.", ".,"))
    if expected.startswith("-") and v == 0:
        expected = expected[1:]  # deliberately no negative zero
    assert fmt.num(x, decimals) == expected


def test_no_negative_zero():
    assert fmt.num(-0.01, 1) == "0,0" and fmt.num(-0.0) == "0" and fmt.pct(-0.04, 1) == "0,0%"
    assert fmt.num(-0.06, 1) == "-0,1" and fmt.num(float("inf")) == "\u221e"


def test_figure_outside_its_canvas_is_refused_and_legend_below_fits(tmp_path, monkeypatch):
    """Figures are saved without a tight bounding box; the check (on in the tests) refuses a figure
    whose legend hangs below the canvas, and legend_below makes room for it."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from evaluatie.publish import report as rp

    monkeypatch.setenv("EVALUATIE_RUN_DIR", str(tmp_path))
    monkeypatch.setenv("EVALUATIE_CHECK_FIGURES", "1")
    monkeypatch.setattr(rp, "_display", lambda *a, **k: None)

    def draw():
        fig, ax = plt.subplots(figsize=(6, 3))
        for i in range(3):
            ax.plot([0, 1], [i, i + 1], label=f"reeks {i}")
        return fig, ax

    fig, ax = draw()
    fig.legend(*ax.get_legend_handles_labels(), loc="upper center", bbox_to_anchor=(0.5, 0.02), ncol=3)
    with pytest.raises(ValueError, match="valt buiten het canvas"):
        rp.figure(fig, "buiten", alt="Drie lijnen.")
    fig, ax = draw()  # never laid out: figure() lays it out itself
    rp.legend_below(fig, *ax.get_legend_handles_labels(), ncol=3)
    rp.figure(fig, "binnen", alt="Drie lijnen.")
    assert (tmp_path / "figures" / "binnen.png").stat().st_size > 0
    fig, ax = draw()
    assert rp.legend_below(fig, [], [], ncol=3) is None and not fig.legends  # e.g. every bar suppressed
    fig, ax = draw()
    ax.set_yticks([0, 2, 4], ["een lange aslabel", "die zonder opmaak", "buiten de figuur valt"])
    rp.figure(fig, "zonder_opmaak", alt="Drie lijnen.")  # laid out by figure(), so it fits


def test_fixed_title_height_puts_titles_where_matplotlib_would():
    """use_style fixes axes.titley at 1.0 (no search for top tick labels at every draw); on our
    axes, which have no top tick labels, titles land exactly where the automatic placement puts them."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from evaluatie.publish import report as rp

    boxes = []
    for titley in (None, 1.0):
        with matplotlib.rc_context():
            rp.use_style()
            matplotlib.rcParams["axes.titley"] = titley
            fig, axes = plt.subplots(1, 2, figsize=(8, 3))
            for ax in axes:
                ax.plot([2014, 2018, 2023], [1.2, 2.5, 3.1])
                ax.set_title("Buitenlandse herkomst", loc="left")
            fig.tight_layout()
            fig.canvas.draw()
            boxes.append([tuple(ax.title.get_window_extent().bounds) for ax in axes])
            plt.close(fig)
    assert boxes[0] == boxes[1]


def test_right_to_left_text_is_isolated_so_it_cannot_turn_the_sentence():
    assert fmt.literal("abc\u202edef") == "\u2068abc\u202edef\u2069"
    assert fmt.literal("مرحبا") == "\u2068مرحبا\u2069"
    assert fmt.literal("x\u2069\u202ey") == "\u2068x\u202ey\u2069"  # an inner PDI cannot end the isolate
    assert fmt.literal("Turkse naam") == "Turkse naam"


def test_provenance_states_the_disclosure_rule_or_its_absence(tmp_path, monkeypatch):
    import pandas as pd

    from evaluatie.publish import report as rp
    from evaluatie.publish.disclosure import no_counts, suppress

    def provenance_text(publish):
        shown = []
        monkeypatch.setattr("evaluatie.publish.report._display",
                            lambda obj=None, raw=None, **kw: shown.append(raw["text/plain"] if raw else obj))
        monkeypatch.setattr("evaluatie.publish.report._DECISIONS", set())
        monkeypatch.setenv("EVALUATIE_RUN_DIR", str(tmp_path))
        publish()
        rp.provenance({"threshold": 5})
        return " ".join(str(getattr(o, "data", o)) for o in shown)

    protected = provenance_text(lambda: rp.table(suppress(pd.DataFrame({"n": [3, 40]}), "n"), "t", "Tabel"))
    assert "Bescherming van kleine aantallen" in protected and "'x'" in protected
    plain = provenance_text(lambda: rp.table(no_counts(pd.DataFrame({"euro": [1.0]}), "budget"), "b", "Tabel"))
    assert "geen aantallen van personen of werkgevers met een bepaald kenmerk" in plain
    assert "Bescherming van kleine aantallen" not in plain


def test_figure_label_leaves_out_direction_controls():
    """matplotlib draws a right-to-left override as given, so it would turn the rest of a title
    around ("Groep :210Q online"); a figure shows the label without it (the tables keep it)."""
    from evaluatie.publish.report import figure_label

    assert figure_label("Groep \u202eenilno Q012") == "Groep enilno Q012"
    assert figure_label("\u2067مرحبا\u2069 b") == "مرحبا b"
