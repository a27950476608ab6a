"""Backends by name: adding one is a module plus one line here (imported only when chosen)."""

from __future__ import annotations

import importlib

from pytest_hacluster.backends.base import Backend, BackendError, Settings

BACKENDS: dict[str, str] = {
    "lab": "pytest_hacluster.backends.lab:LabBackend",
    "vagrant": "pytest_hacluster.backends.vagrant:VagrantBackend",
    "ssh": "pytest_hacluster.backends.ssh:SshBackend",
}
# Named in the options so users can ask for them before they exist (none at the moment).
PLANNED: dict[str, str] = {}
CHOICES = (*BACKENDS, *PLANNED)


def backend_class(name: str) -> type[Backend]:
    if name in PLANNED:
        raise BackendError(f"--hacluster-backend={name}: {PLANNED[name]}; use 'lab'")
    try:
        module, _, attr = BACKENDS[name].partition(":")
    except KeyError:
        raise BackendError(
            f"--hacluster-backend={name}: unknown backend (choose from {', '.join(CHOICES)})"
        ) from None
    return getattr(importlib.import_module(module), attr)


__all__ = ["BACKENDS", "CHOICES", "Backend", "BackendError", "Settings", "backend_class"]
