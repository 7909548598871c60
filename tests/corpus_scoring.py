"""The corpus gate's scoring (tests/test_corpus_quality.py) in a thread of its own, started as
soon as the tests are collected (tests/conftest.py): the scorer runs `archiver extract` once
per page, about a minute of processes one after another, which the rest of the suite runs
beside instead of after."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from bench import corpus_table

CORPUS = Path(os.environ.get("ARCHIVER_CORPUS",
                             Path(__file__).resolve().parents[2] / "shared" / "corpus"))


class Scoring:
    """One run of bench/corpus_table.py's scorer on CORPUS, in a thread."""

    def __init__(self) -> None:
        self.results: dict[str, Any] | None = None
        self.error: Exception | None = None
        self.thread = threading.Thread(target=self.score, name="corpus-scoring", daemon=True)

    def score(self) -> None:
        try:
            self.results = corpus_table.run_scorer(CORPUS / "score.py", CORPUS / "dev")
        except Exception as error:  # raised again in the gate's test, where it is reported
            self.error = error

    def start(self) -> None:
        """Start scoring, once."""
        if not self.thread.is_alive() and self.results is None and self.error is None:
            self.thread.start()

    def wait(self) -> dict[str, Any]:
        """The scorer's results, once it is done."""
        self.start()
        self.thread.join()
        if self.error is not None:
            raise self.error
        assert self.results is not None
        return self.results

    def finish(self) -> None:
        """Wait for the scoring to end, if it started."""
        if self.thread.ident is not None:
            self.thread.join()


SCORING = Scoring()
