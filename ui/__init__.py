"""The Streamlit side of ffn-digits: one module per panel, each with a ``render`` function.

Every string a module shows goes through :func:`ui.i18n._`; every computation is the
``ffn`` library's, and training runs in ``serve``'s pool of workers. Neither ``ffn`` nor
``serve`` imports anything from here.
"""
