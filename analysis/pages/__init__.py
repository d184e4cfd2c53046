"""Stage 6, the pages: what each notebook shows (tables, texts, figures), read from the processed results;
computes no statistic."""
