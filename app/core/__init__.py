"""Core: the method's vocabulary (domain), the models, the assessment, validation, formatting, errors,
configuration and the clock. Pure: no database session work, no Slack, no rendering.

May import: nothing of stakemap's but app.core.
"""
