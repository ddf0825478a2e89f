"""evaluatie — a workbench for evaluating equal-opportunity and diversity policy in Flanders.

The package does the work; the notebooks in ``notebooks/`` tell the story. See README.md.
"""

__version__ = "0.1.0"
