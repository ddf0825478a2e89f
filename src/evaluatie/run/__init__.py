"""Running reports: parameters declared in the notebooks (params), a report's kernel (kernel),
its notebook executed by papermill and published with nbconvert (notebook), runs in order or in
parallel with run.json and the index (runner), the command line (cli).
"""
