"""What several benches share, so that a bench imports its helpers from here and never
from another bench:

- ``bench.support.article_baseline``: the article's training code path, as a speed baseline
  (``bench.train_speed``);
- ``bench.support.headless``: a preset's run headless as the app's worker builds it, and the
  presets' labels in the sidebar (``bench.live_training``, ``bench.classroom``,
  ``bench.sessions_memory``);
- ``bench.support.pages``: digits to draw, what a page shows once it predicts, and the
  asyncio Playwright helpers that open a page and draw on it (``bench.app_latency``,
  ``bench.classroom``, ``bench.sessions_memory``);
- ``bench.support.procs``: the app's server and worker processes, their CPU seconds and
  memory, read from /proc (``bench.classroom``, ``bench.page_cpu``, ``bench.sessions_memory``);
- ``bench.support.words``: what a page says in each language, read from the catalogue
  (``bench.classroom``).

The benches run from the checkout's root as ``python -m bench.<name>``, which puts the root
on ``sys.path``: ``ffn``, ``serve``, ``ui``, ``deploy`` and the browser helpers of
``tests`` import from there.
"""
