//! Exports: CSV and TSV escaping, Parquet round trip.
