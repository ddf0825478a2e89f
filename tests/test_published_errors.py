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


# --- issue 15 audit: a quote scrubber is defeated by a value holding both kinds of quote

from evaluatie.core.errors import DataError, Problem  # noqa: E402
from evaluatie.publish.provenance import IN_TERMINAL, publishable_error  # noqa: E402


def test_an_exception_that_is_not_ours_publishes_no_word_of_its_message():
    """Case t1 of the audit: ``could not convert string to float: 'x\\'ZZMt1Q"'`` went through a
    regex that removes '…' and "…" literals with the marker intact."""
    for msg in ("could not convert string to float: 'x\\'ZZMt1Q\"'", "Unable to parse string \"ZZMt1Q\" at position 3",
                "index ZZMt1Q is out of bounds", "[ZZMt1Q] not in index"):
        assert publishable(msg, "ValueError") == IN_TERMINAL
        rec = publishable_error({"cell": 13, "ename": "ValueError", "evalue": msg, "kind": "execution",
                                 "traceback": f"Traceback ... {msg}"})
        assert rec == {"cell": 13, "ename": "ValueError", "evalue": IN_TERMINAL, "kind": "execution"}


def test_our_own_data_error_keeps_its_message_and_pandas_data_error_does_not():
    ours = str(DataError([Problem("a.csv", 3, "leeftijd", "ZZM", "een getal")]))
    assert publishable(ours, "DataError") == ours and "rij 3, kolom 'leeftijd'" in ours
    assert publishable("No numeric types to aggregate: ZZM", "DataError") == IN_TERMINAL  # pandas.errors.DataError


def test_the_runners_own_messages_and_empty_ones_are_kept():
    busy = {"cell": None, "ename": "RunBusy", "kind": "busy", "evalue": "rapport x wordt op dit moment al gemaakt"}
    assert publishable_error(busy) == busy
    timeout = {"cell": 4, "ename": "CellTimeoutError", "kind": "timeout", "evalue": "de cel liep langer dan ..."}
    assert publishable_error(timeout) == timeout
    stopped = {"cell": 5, "ename": "KeyboardInterrupt", "kind": "interrupted", "evalue": ""}
    assert publishable_error(stopped) == stopped


def test_a_kernel_warning_is_published_by_its_class_only():
    """A library's warning on stderr may quote a value from the data; run.json keeps only the
    warning's class (issue 15: no data in published messages)."""
    from evaluatie.publish.provenance import IN_TERMINAL, publishable_warning

    text = "/srv/x.py:12: UserWarning: kolom bevat 'Geheim-W1'\n  warnings.warn(...)"
    assert publishable_warning(text) == f"UserWarning ({IN_TERMINAL})"
    assert publishable_warning("Geheim-W2 printed by a cell") == IN_TERMINAL
