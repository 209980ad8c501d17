"""What one push attempt came to, whatever the CRM: the outcome a deliverer reports for the outbox row, read
from what its HTTP client (app.platform.crm_http) raised."""

from __future__ import annotations

from collections.abc import Callable

from app.core.errors import ConfigError, StakemapError
from app.platform.crm_http import AnswerLost, CrmUnavailable
from app.services.crm.outbox import Delivery


def attempt(send: Callable[[], Delivery]) -> Delivery:
    """`send()`'s delivery; a lost answer is uncertain (looked for before any new attempt), a CRM that kept
    failing or a credential it refused is tried again later (a fixed credential sends it), and any other
    refusal (4xx) is given up: sending it again would not help."""
    try:
        return send()
    except AnswerLost as error:
        return Delivery.lost(str(error))
    except (CrmUnavailable, ConfigError) as error:
        return Delivery.retry(str(error))
    except StakemapError as error:
        return Delivery.refused(str(error))
