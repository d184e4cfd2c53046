"""Stage 5, the statistics: trends, target status, progress and comparisons, all units in one pass."""
