"""Stage 1, reference data: the indicator catalog, the network's members, municipality codes through the reforms."""
