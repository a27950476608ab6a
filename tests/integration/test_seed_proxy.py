"""The seed's httpd-proxy.conf (no ProxyPass ``connectiontimeout``, no ``timeout``) holds Apache's
graceful stop on ``/app/`` requests, and the acceptance tests that guard the default description
fail on it, naming the cause (tests/acceptance/test_app_backend_gone.py):

- right after Tomcat's VIP left, connects to it wait (``proxy_connect_timeout_s = 0``; both
  keys 0, as the seed's file: without ``connectiontimeout`` mod_proxy bounds a connect by the
  worker's ``timeout``);
- with a request in flight when the web node loses its service LAN, the reply cannot come
  (``proxy_timeout_s = 0``).

Run as a user would: ``pytest --hacluster`` with a description that sets those keys. The
default description's runs are the acceptance suite's.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.integration.labtools import REPO, leftovers, pytest_argv


@pytest.mark.parametrize(("settings", "scenario", "said"), [
    ("proxy_connect_timeout_s = 0\nproxy_timeout_s = 0\n", "right_after",
     ["move web to s",
      "no ProxyPass connectiontimeout (proxy_connect_timeout_s = 0, as the seed)"]),
    ("proxy_timeout_s = 0\n", "in_flight",
     ["NOT RECOVERED: after 60s: web on s",
      "no ProxyPass timeout (proxy_timeout_s = 0, as the seed)"]),
], ids=["connect", "reply"])
def test_the_seeds_proxy_fails_the_switchover_naming_the_cause(
    prefix: str, tmp_path: Path, settings: str, scenario: str, said: list[str]
) -> None:
    seed = tmp_path / "seed-proxy.toml"
    seed.write_text(settings)
    run = subprocess.run(
        pytest_argv("--hacluster", f"--hacluster-prefix={prefix}", f"--hacluster-config={seed}",
                    "tests/acceptance/test_app_backend_gone.py", "-k", scenario),
        cwd=REPO, capture_output=True, text=True, timeout=420, check=False,
    )
    out = run.stdout + run.stderr
    assert run.returncode == 1, out[-3000:]
    assert "1 failed" in out, out[-3000:]
    for words in said:
        assert words in out, out[-3000:]
    assert leftovers(prefix) == []
