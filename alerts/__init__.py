"""Escalation: the SLA clock, the engine, notifiers, Slack and reports."""
