"""Fixtures for the source contract suite: fake API servers on 127.0.0.1 and their clocks."""

from tests.fakeservers.fixtures import FB_NOW, X_NOW, fb_clock, graph_server, x_clock, x_server

__all__ = ["FB_NOW", "X_NOW", "fb_clock", "graph_server", "x_clock", "x_server"]
