"""Errors of the sentiment package."""

from __future__ import annotations


class ModelLoadError(RuntimeError):
    """A configured sentiment model cannot be loaded (missing, offline, corrupt or unsupported).

    `key` is the setting that named it, for the message that stops start-up.
    """

    def __init__(self, message: str, key: str = "sentiment.model") -> None:
        super().__init__(message)
        self.key = key


class ScorerFailed(RuntimeError):
    """A scorer raised while scoring a batch; `scorer` names it. The cause is chained, its message left out."""

    def __init__(self, scorer: str, cause: BaseException) -> None:
        # the type only: a model's runtime error may quote paths, URLs or tokens
        super().__init__(f"sentiment model {scorer} failed ({type(cause).__name__})")
        self.scorer = scorer
