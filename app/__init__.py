"""stakemap: a stakeholder map of every customer account, kept in Slack."""

__version__ = "0.1.0"
