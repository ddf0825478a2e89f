"""The second line of defence (issue 15, item 1): whatever HTML a cell shows, the published page
carries no script, event handler, frame, remote image or javascript: link; the report helpers'
own markup (tables with ARIA, headings, notices) passes unchanged."""

from __future__ import annotations

import nbformat
from bs4 import BeautifulSoup

from evaluatie.run.notebook import SanitizeOutputs, render_html

HOSTILE = ('<p>tekst</p><script>alert(1)</script><img src="https://evil.example/p.png" onerror="alert(2)">'
           '<a href="javascript:alert(3)">klik</a><a href="https://www.vlaanderen.be" onclick="alert(4)">bron</a>'
           '<iframe src="//evil.example"></iframe><style>body{display:none}</style>'
           '<svg onload="alert(5)"></svg><form action="//evil.example"><input></form>')
OURS = ('<div class="ev-table-block"><p class="ev-caption" id="tab-x">Titel</p><div class="ev-table-wrap">'
        '<table class="ev-table" aria-labelledby="tab-x"><thead><tr><th scope="col" class="ev-num">n</th></tr></thead>'
        '<tbody><tr><td class="ev-num">5</td></tr></tbody></table></div></div>'
        '<aside class="ev-notice ev-notice-info" role="note"><strong>Toelichting</strong><p>x</p></aside>')


def _notebook(*outputs: dict) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.v4.new_output("display_data", data=d) for d in outputs]
    nb.cells.append(cell)
    return nb


def test_hostile_markup_in_an_output_is_removed_from_the_page():
    page = BeautifulSoup(render_html(_notebook({"text/html": HOSTILE, "text/plain": "x"}), "T"), "html.parser")
    main = page.find("main")
    assert not main.find_all(["script", "iframe", "img", "svg", "form", "input"])
    assert not [a for t in main.find_all(True) for a in t.attrs if a.startswith("on")]
    hrefs = [a.get("href") for a in main.find_all("a")]
    assert "https://www.vlaanderen.be" in hrefs and not any(h and h.startswith("javascript:") for h in hrefs)
    assert "evil.example" not in str(main) and "display:none" not in str(main)


def test_the_report_helpers_markup_passes_unchanged():
    assert SanitizeOutputs().clean(OURS) == OURS


def test_outputs_of_other_types_are_dropped_and_images_kept():
    nb = _notebook({"application/javascript": "alert(1)", "text/plain": "x"},
                   {"image/svg+xml": '<svg onload="alert(2)"/>', "image/png": "iVBORw0KGgo=", "text/plain": "fig"})
    cell, _ = SanitizeOutputs().preprocess_cell(nb.cells[0], {}, 0)
    assert [sorted(o["data"]) for o in cell.outputs] == [["text/plain"], ["image/png", "text/plain"]]
