"""The report helpers for phones and for one language: a figure's phone variant (rp.figure
``narrow=``), the glossary section and the sign-convention sentence, through the published page."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import pytest  # noqa: E402
from bs4 import BeautifulSoup  # noqa: E402

from evaluatie.publish import report as rp  # noqa: E402
from evaluatie.run.notebook import render_html  # noqa: E402


@pytest.fixture
def shown(tmp_path, monkeypatch):
    """What the report helpers display, as notebook outputs."""
    monkeypatch.setenv("EVALUATIE_RUN_DIR", str(tmp_path))
    monkeypatch.setenv("EVALUATIE_CHECK_FIGURES", "1")
    outputs = []

    def display(obj=None, *, raw=None, metadata=None):
        if raw is not None:
            outputs.append(nbformat.v4.new_output("display_data", data=raw, metadata=metadata or {}))
        else:
            outputs.append(nbformat.v4.new_output("display_data", data={"text/html": obj.data}))

    monkeypatch.setattr(rp, "_display", display)
    return outputs


def _page(outputs) -> BeautifulSoup:
    cell = nbformat.v4.new_code_cell("", outputs=outputs)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("", outputs=[
        nbformat.v4.new_output("display_data", data={"text/html": rp.render_markdown("# Titel")})]),
                                         cell])
    return BeautifulSoup(render_html(nb, "Titel"), "html.parser")


def _bars(narrow: bool):
    fig, axes = plt.subplots(2 if narrow else 1, 1 if narrow else 2, figsize=(rp.NARROW_WIDTH, 6) if narrow else (8, 3))
    for ax in axes:
        ax.barh(["groep a", "groep b"], [3, 4])
        ax.set_title("Aandeel")
    return fig


def test_a_figure_with_a_phone_variant_shows_one_of_two_by_screen_width(shown, tmp_path):
    with rp.narrow_style():
        small = _bars(narrow=True)
    rp.figure(_bars(narrow=False), "balken", alt="Twee staafdiagrammen van het aandeel per groep.", narrow=small)
    assert (tmp_path / "figures" / "balken.png").stat().st_size > 0
    assert (tmp_path / "figures" / "balken_smal.png").stat().st_size > 0
    page = _page(shown)
    imgs = page.select("figure.ev-figure img")
    assert [i["class"] for i in imgs] == [["ev-wide"], ["ev-narrow"]]
    assert all(i["alt"] == "Twee staafdiagrammen van het aandeel per groep." for i in imgs)
    assert imgs[0]["src"] != imgs[1]["src"] and imgs[1]["src"].startswith("data:image/png;base64,")
    css = page.find("style").string
    assert "img.ev-narrow { display: none; }" in css and "img.ev-narrow { display: block; }" in css


def test_a_figure_without_a_phone_variant_is_one_image(shown):
    rp.figure(_bars(narrow=False), "balken", alt="Twee staafdiagrammen van het aandeel per groep.")
    imgs = _page(shown).select("figure.ev-figure img")
    assert len(imgs) == 1 and not imgs[0].get("class")


def test_a_phone_variant_with_small_text_or_the_wrong_width_is_refused(shown):
    small = _bars(narrow=True)  # drawn without narrow_style: 11 pt tick labels
    with pytest.raises(ValueError, match="kleiner dan 12.0 pt"):
        rp.figure(_bars(narrow=False), "balken", alt="Twee staafdiagrammen.", narrow=small)
    with rp.narrow_style():
        wide = plt.figure(figsize=(6, 4))
        wide.add_subplot().plot([1, 2])
    with pytest.raises(ValueError, match="6.00 inch breed"):
        rp.figure(_bars(narrow=False), "balken", alt="Twee staafdiagrammen.", narrow=wide)


def test_glossary_and_sign_convention_are_text_from_one_place(shown):
    rp.sign_convention()
    rp.glossary(["kloof", "relatieve kans"], extra={"eigen <b>term</b>": "Alleen <i>hier</i>."})
    with pytest.raises(KeyError, match="no definition"):
        rp.glossary(["onbekend woord"])
    rp.glossary(["eigen <b>term</b>"], extra={"eigen <b>term</b>": "Alleen <i>hier</i>."})
    page = _page(shown)
    assert page.select_one("p.ev-convention").get_text() == f"Zo lees je de kloof: {rp.SIGN_CONVENTION}."
    assert [dt.get_text() for dt in page.select("dl.ev-glossary dt")] == ["Kloof", "Relatieve kans", "Eigen <b>term</b>"]
    assert page.select_one("dl.ev-glossary dd").get_text().startswith("Het verschil tussen de referentie")
    assert not page.select("dl.ev-glossary b, dl.ev-glossary i")  # markup in a term stays text
    assert [h.get_text() for h in page.select("h2")].count("Begrippen") == 2
    rp.glossary(["betrouwbaarheidsinterval"], conf=0.9)
    assert "met 90% zekerheid" in _page(shown).select("dl.ev-glossary dd")[-1].get_text()
