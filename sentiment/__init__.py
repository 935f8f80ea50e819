"""Sentiment and complaint scoring in the customer's language."""
