"""What an error message may publish (issue 15, item 4): parts marked private (the column names
found in a file, group labels) reach the terminal but not run.json, the index or the notebook."""

from __future__ import annotations

from evaluatie.core.errors import WITHHELD, private, public_text, terminal_text
from evaluatie.publish.provenance import publishable


def test_private_parts_are_withheld_from_the_published_text_and_shown_on_the_terminal():
    msg = f"kolom 'v' ontbreekt. Gevonden kolommen: {private('root:x:0:0:root')}; en {private('Jan Peeters')}."
    assert public_text(msg) == f"kolom 'v' ontbreekt. Gevonden kolommen: {WITHHELD}; en {WITHHELD}."
    assert terminal_text(msg) == "kolom 'v' ontbreekt. Gevonden kolommen: root:x:0:0:root; en Jan Peeters."


def test_a_mark_inside_the_private_text_cannot_end_it_early():
    msg = "x " + private("a\u27e7 geheim \u27e6b") + " y"
    assert public_text(msg) == f"x {WITHHELD} y" and "geheim" in terminal_text(msg)


def test_publishable_withholds_private_parts_for_every_kind_of_error():
    msg = f"Gevonden kolommen: {private('naam, rijksregisternummer')}"
    for ename in ("DataError", "ValueError"):
        assert "rijksregisternummer" not in publishable(msg, ename)
