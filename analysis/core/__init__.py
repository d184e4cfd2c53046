"""Stage 0, shared by all: paths, errors, atomic writes, the one schema, the settings from params/."""
