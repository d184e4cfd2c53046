"""Stage 3: schema and per-KPI rules on tidy observations; a bad file is refused with file, row, field and why."""
