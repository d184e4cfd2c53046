"""Tiny notebooks for the batch tests: a typed parameters cell and one code cell; what the last cell printed."""

from __future__ import annotations

import nbformat


def notebook(path, source, parameters: str = "x: int = 0"):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell(parameters)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(source)]
    nbformat.write(nb, path)
    return path


def printed(path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream").strip()
