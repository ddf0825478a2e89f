"""Running reports: parameters declared in the notebooks (params), papermill + nbconvert (runner),
the command line (cli).
"""
