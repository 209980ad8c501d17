"""Jobs: scheduled work — the weekly sweep of nudges, its delivery ledger, the scheduler.

May import: app.core, app.platform, app.services, blocks/ (to render what they send).
"""
