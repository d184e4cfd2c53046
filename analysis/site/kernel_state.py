"""Runs inside a warm kernel (:mod:`analysis.site.warm`): remember the clean state right after the
warm-up imports, and return to it before every page.

What a page can change and a reset restores: its variables (the user namespace, emptied as by
``%reset -f``, and the execution counter back to 1 so outputs are numbered as in a fresh kernel),
open figures, matplotlib's rcParams, pandas' options, numpy's error handling, the warnings filters,
the environment variables, ``sys.path``, the working directory and the caches of the package's
``lru_cache`` functions. What stays on purpose: the modules already imported (that is what makes the
kernel warm). A page that fails never hands its kernel on: the batch starts a fresh one.
"""

from __future__ import annotations

import os
import sys
import warnings

_CLEAN: dict = {}


def remember() -> None:
    """Take the snapshot a reset returns to (called once, after the warm-up imports)."""
    import matplotlib
    import numpy as np
    import pandas as pd

    _CLEAN.update(
        cwd=os.getcwd(),
        environ=dict(os.environ),
        path=list(sys.path),
        warnings=list(warnings.filters),
        numpy=np.geterr(),
        rc=dict(matplotlib.rcParams),
        pandas=_pandas_options(pd.options),
    )


def _pandas_options(options, prefix: str = "") -> dict:
    """Every pandas option and its value, found by walking ``pd.options``."""
    found = {}
    with warnings.catch_warnings():  # reading a deprecated option warns
        warnings.simplefilter("ignore")
        for name in dir(options):
            value = getattr(options, name)
            if type(value).__name__ == "DictWrapper":
                found.update(_pandas_options(value, f"{prefix}{name}."))
            else:
                found[f"{prefix}{name}"] = value
    return found


def restore(cwd: str) -> None:
    """Back to the snapshot, in ``cwd`` (the folder of the notebook about to run)."""
    import matplotlib
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd
    from IPython import get_ipython

    get_ipython().reset(new_session=True)
    plt.close("all")
    with warnings.catch_warnings():  # setting a deprecated key back warns; it is still restored
        warnings.simplefilter("ignore")
        matplotlib.rcParams.update(_CLEAN["rc"])
        for key, value in _CLEAN["pandas"].items():
            if pd.get_option(key) is not value and pd.get_option(key) != value:
                pd.set_option(key, value)
    np.seterr(**_CLEAN["numpy"])
    warnings.filters[:] = _CLEAN["warnings"]
    warnings._filters_mutated()
    os.environ.clear()
    os.environ.update(_CLEAN["environ"])
    sys.path[:] = _CLEAN["path"]
    for name, module in list(sys.modules.items()):
        if name == "analysis" or name.startswith("analysis."):
            for value in list(vars(module).values()):
                if callable(getattr(value, "cache_clear", None)) and getattr(value, "__module__", "") == name:
                    value.cache_clear()
    from analysis.pages import language

    language.use(language.DEFAULT)  # a page in another language does not leave its language to the next
    os.chdir(cwd)
