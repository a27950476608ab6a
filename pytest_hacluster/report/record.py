"""The cluster description in effect, as plain data for report.json, with secrets removed.

A scenario's record is not made here: each measurement gives its own (``Scenario.to_record``,
``Failover.to_record``, ...), and the report only reads those dicts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pytest_hacluster.config import Description
from pytest_hacluster.records import iso, jsonable

# Keys whose values are secret or may be: their values are replaced, the key stays so the reader
# sees that something was set. (``token_ms`` is corosync's timing, not a secret.)
SECRET_KEYS = frozenset({"key", "keys", "password", "passphrase", "secret", "authkey", "env"})
REDACTED = "<redacted>"


def redact(value: Any) -> Any:
    """``value`` (JSON types) with every secret key's value replaced by ``REDACTED``."""
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if k in SECRET_KEYS and v not in (None, "", {}, []):
                out[k] = {kk: REDACTED for kk in v} if isinstance(v, Mapping) else REDACTED
            else:
                out[k] = redact(v)
        return out
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


def config_record(description: Description) -> dict[str, Any]:
    """The cluster description in effect, as JSON, secrets removed."""
    return redact(jsonable(description))


__all__ = ["REDACTED", "config_record", "iso", "jsonable", "redact"]
