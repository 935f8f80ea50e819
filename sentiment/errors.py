"""Errors of the sentiment package."""

from __future__ import annotations


class ModelLoadError(RuntimeError):
    """A configured sentiment model cannot be loaded (missing, offline, corrupt or unsupported)."""


class ScorerFailed(RuntimeError):
    """A scorer raised while scoring a batch; `scorer` names it. The cause is chained, its message left out."""

    def __init__(self, scorer: str, cause: BaseException) -> None:
        # the type only: a model's runtime error may quote paths, URLs or tokens
        super().__init__(f"sentiment model {scorer} failed ({type(cause).__name__})")
        self.scorer = scorer
