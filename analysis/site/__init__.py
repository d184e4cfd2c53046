"""Stage 7, the site: papermill batch, Quarto or smalldocs render, atomic publish."""
