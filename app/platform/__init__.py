"""Platform: the process's plumbing — the database and its migrations, the runtime (settings, clock,
caches, the after-ack pool), the Slack Web API client with its retries, the installation store,
metrics and logs.

May import: app.core.
"""
