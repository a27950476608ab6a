"""The seed's httpd-proxy.conf (no ProxyPass ``connectiontimeout``) holds Apache's stop while
``/app/`` connects wait on a Tomcat VIP that just left; the acceptance test that guards the
default description fails on it, naming the cause (tests/acceptance/test_app_backend_gone.py).

Run as a user would: ``pytest --hacluster`` with a description that sets
``proxy_connect_timeout_s = 0`` and ``proxy_timeout_s = 0`` (mod_proxy bounds a connect by the
worker's ``timeout`` when no ``connectiontimeout`` is set). The default description's run is
the acceptance suite's.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.integration.labtools import REPO, leftovers, pytest_argv


def test_the_seeds_proxy_without_connect_timeout_fails_the_switchover(
    prefix: str, tmp_path: Path
) -> None:
    seed = tmp_path / "seed-proxy.toml"
    # Both 0, as the seed's file: without connectiontimeout mod_proxy bounds a connect by the
    # worker's timeout (proxy_timeout_s) instead.
    seed.write_text("proxy_connect_timeout_s = 0\nproxy_timeout_s = 0\n")
    run = subprocess.run(
        pytest_argv("--hacluster", f"--hacluster-prefix={prefix}", f"--hacluster-config={seed}",
                    "tests/acceptance/test_app_backend_gone.py", "-k", "right_after"),
        cwd=REPO, capture_output=True, text=True, timeout=300, check=False,
    )
    out = run.stdout + run.stderr
    assert run.returncode == 1, out[-3000:]
    assert "1 failed" in out, out[-3000:]
    assert "move web to s2" in out or "move web to s1" in out, out[-3000:]
    assert "no ProxyPass connectiontimeout (proxy_connect_timeout_s = 0, as the seed)" in out, \
        out[-3000:]
    assert leftovers(prefix) == []
