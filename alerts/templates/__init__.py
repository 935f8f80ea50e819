"""Editable data files of the Slack alerts (suggested first replies)."""
