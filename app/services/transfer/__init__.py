"""Accounts, contacts and touches in and out of stakemap: CSV import (CRM exports, spreadsheets)
and CSV / JSON / markdown export. `columns` names the columns once for both directions."""
