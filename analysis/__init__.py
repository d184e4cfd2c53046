"""Analysis and reporting for Bærekraftsnettverket (U4SSC KPIs for Norwegian municipalities).

All logic lives in this package; the notebooks in ``notebooks/`` only load, call and show.
"""

__version__ = "0.1.0"
