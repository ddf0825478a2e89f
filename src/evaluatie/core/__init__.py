"""Foundations that import nothing else from the package: errors (Problem, DataError), numbers,
Dutch (nl-BE) formatting, project paths.
"""
