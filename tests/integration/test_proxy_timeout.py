"""The seed's httpd-proxy.conf (no ProxyPass ``timeout``) holds Apache's stop while an ``/app/``
request waits for a Tomcat reply that cannot cross the web node's pulled service LAN; the
acceptance test that guards the default description fails on it, naming the cause
(tests/acceptance/test_app_backend_gone.py, the request-in-flight scenario).

Run as a user would: ``pytest --hacluster`` with a description that sets ``proxy_timeout_s =
0``. The default description's run is the acceptance suite's.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.integration.labtools import REPO, leftovers, pytest_argv


def test_the_seeds_proxy_without_reply_timeout_fails_the_switchover(
    prefix: str, tmp_path: Path
) -> None:
    seed = tmp_path / "seed-proxy.toml"
    seed.write_text("proxy_timeout_s = 0\n")
    run = subprocess.run(
        pytest_argv("--hacluster", f"--hacluster-prefix={prefix}", f"--hacluster-config={seed}",
                    "tests/acceptance/test_app_backend_gone.py", "-k", "in_flight"),
        cwd=REPO, capture_output=True, text=True, timeout=420, check=False,
    )
    out = run.stdout + run.stderr
    assert run.returncode == 1, out[-3000:]
    assert "1 failed" in out, out[-3000:]
    assert "NOT RECOVERED: after 60s: web on s" in out, out[-3000:]
    assert "no ProxyPass timeout (proxy_timeout_s = 0, as the seed)" in out, out[-3000:]
    assert leftovers(prefix) == []
