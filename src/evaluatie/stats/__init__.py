"""Shared statistics: the survey design object and its estimators (survey).
"""
