"""Services: one module per use case (accounts, contacts, touches, plans, departures, maps, erasure,
portfolio, nudges, import/export...). The only code that reads and writes the database for a use case.

May import: app.core and app.platform's database and runtime. Never Slack (slack_sdk, slack_bolt),
blocks/ or handlers/.
"""
