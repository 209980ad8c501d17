"""Rendering outside Slack: the map as text, markdown and JSON for the terminal, and the PNG charts.
Pure functions of core objects, like blocks/ is for Slack.

May import: app.core.
"""
