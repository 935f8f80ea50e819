"""Errors of the sentiment package."""

from __future__ import annotations


class ModelLoadError(RuntimeError):
    """A configured sentiment model cannot be loaded (missing, offline, corrupt or unsupported)."""
