"""Stage 4, raw → processed: demo data or ingested files, in the report's borders, with targets; check/ingest/fetch."""
