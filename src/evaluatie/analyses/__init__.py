"""One subpackage per analysis: correspondence (praktijktest), survey (evaluation survey),
targets (streefcijfers), actionplan (action plan and budget follow-up).
"""
