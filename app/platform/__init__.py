"""Platform: the process's plumbing — the database and its migrations, the runtime (settings, clock,
caches, the after-ack pool), the Slack Web API client with its retries, the installation store,
metrics and logs, and the ledger that handles each delivery from Slack once (deliveries).

May import: app.core.
"""
