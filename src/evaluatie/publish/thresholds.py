"""The small-cell thresholds every published number obeys, as plain constants: the parameter
checker (:mod:`evaluatie.run.params`) reads them without importing pandas, so every command of
``evaluatie`` starts in a fraction of a second. :mod:`evaluatie.publish.disclosure` applies them."""

__all__ = ["DEFAULT_THRESHOLD", "MIN_THRESHOLD"]

#: A count below this is not published, nor anything derived from it (a run may choose 3 or 4
#: with ``allow_small_cells: true``).
DEFAULT_THRESHOLD = 5
#: The lowest small-cell threshold a published report may use: a run's ``threshold`` parameter
#: below it is refused before any kernel starts (:mod:`evaluatie.run.params`), so a params file
#: cannot switch suppression off (``threshold: 0`` published one employee's disability). Code that
#: aggregates for further computation, not for publication, may still pass 0.
MIN_THRESHOLD = 3
