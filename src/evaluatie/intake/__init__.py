"""Data intake: reading CSV, XLSX, SAV, DTA and Parquet files (read), schemas, value checks and the
row ledger (schema).
"""
