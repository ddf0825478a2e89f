"""Publication: report content helpers (report), small-cell disclosure control (disclosure),
provenance of a run (provenance) and the nbconvert template (templates/).
"""
