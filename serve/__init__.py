"""serve: the classroom's training service. A pool of worker processes trains the runs of
every session at once, with a fair queue in front of it; the page drives a run through
its :class:`~serve.runs.PoolRun`. It imports the network and its trainer from ``ffn``,
never the page (``ui``) or Streamlit.
"""
