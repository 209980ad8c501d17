"""Edge: where stakemap meets the outside — the Bolt app factory, the inbound checks on every request,
the HTTP and Socket Mode servers, and the command line.

May import: everything below it (app.jobs, handlers/, blocks/, app.services, app.platform, app.core).
"""
