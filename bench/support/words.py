"""What a page says in each language, read from the catalogue, for the benches to wait for."""
import re
from string import Formatter

from bench.support.pages import HAS_PREDICTION
from ui.i18n import translator


class Words:
    """What a page in ``lang`` says, read from the catalogue, for the bench to wait for."""

    def __init__(self, lang):
        t = translator(lang).gettext
        self.lang = lang
        self.hyperparameters, self.clear, self.start = t("Hyperparameters"), t("Clear"), t("Start")
        self.empty = re.split(r"[.。]", t("The canvas is empty. Draw a digit and the network's guess "
                                         "appears here, with the probability it gives each of the "
                                         "ten digits."))[0]
        self.prediction = t("Prediction")
        self.has_prediction = HAS_PREDICTION.replace("'Prediction'", repr(self.prediction))
        self.done = t("Test accuracy (10,000 images)").encode()
        self.failed = [t(m).encode() for m in (
            "Training stopped unexpectedly; press Start to try again.",
            "The trainer could not start this run; press Start to try again.")]
        self.queued = _pattern(t("Every trainer is busy: your run is number {place} in the queue "
                                 "and should start in about {seconds:.0f} s. It starts by itself."),
                               "seconds")
        self.started = _pattern(t("iteration {iteration:,} / {total:,} · epoch {epoch:.2f} · "
                                  "{rate:,.0f} images/s"))


def _pattern(message, group=None):
    """A regex (bytes) for a formatted message: each field a number, ``group`` captured."""
    out = ""
    for literal, field, _spec, _conv in Formatter().parse(message):
        out += re.escape(literal)
        if field is not None:
            out += r"(\d+)" if field == group else r"[\d.,]+"
    return re.compile(out.encode())
