"""CRM sync (issue 13): the pull from HubSpot (app.services.crm.hubspot). The HTTP client is the caller's
(app.platform.hubspot, built by app.jobs.crm_sync), so this package only reads and writes the database."""
