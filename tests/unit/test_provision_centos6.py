"""The seed's documented stack (CentOS 6, Heartbeat + Pacemaker 1.0): its testable pieces.

No CentOS 6 box runs on our machines, so this stack is checked statically only: shellcheck
(in test_provision.py), the rendering, and the shell functions that can run anywhere (the
bounded wait on Pacemaker 1.0's crm_mon text, the stack check), with fake crm tools.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from pytest_hacluster import render
from pytest_hacluster.config import Description, from_mapping
from pytest_hacluster.export import export

REPO = Path(__file__).resolve().parents[2]
PROVISION = REPO / "provision"
CRM_MON_DATA = Path(__file__).parent / "data" / "crm_mon"
OTHER = {"interconnect_nic": "ens6", "gateway": "10.20.0.1", "netmask": 16,
         "web": {"vip": "10.20.0.101"}, "webapp": {"vip": "10.20.0.102"},
         "nodes": {"alpha": {"service_ip": "10.20.0.11", "interconnect_ip": "10.30.0.11"},
                   "beta": {"service_ip": "10.20.0.12", "interconnect_ip": "10.30.0.12"}}}


def test_a_centos_box_gets_the_documented_stack() -> None:
    assert render.stack_for_box("centos65_64") is render.CENTOS6
    assert render.stack_for_box("bento/CentOS-6.5") is render.CENTOS6
    assert render.stack_for_box("debian/bookworm64") is render.DEBIAN12
    assert render.required_files(render.DEBIAN12) == ()


def test_ha_cf_is_the_seeds_for_the_seed() -> None:
    text = render.ha_cf(Description())
    for line in ("pacemaker on", "udpport 694", "keepalive 2", "warntime 7", "deadtime 10",
                 "initdead 10", "ucast eth2 192.168.9.121", "ucast eth2 192.168.9.122",
                 "ping 192.168.1.1", "node s1", "node s2", "watchdog /dev/watchdog",
                 "respawn root /usr/lib64/heartbeat/ifcheckd"):
        assert line in text.splitlines()


def test_ha_cf_follows_the_description() -> None:
    lines = render.ha_cf(from_mapping(OTHER)).splitlines()
    assert {"ucast ens6 10.30.0.11", "ucast ens6 10.30.0.12", "ping 10.20.0.1",
            "node alpha", "node beta"} <= set(lines)
    assert not [line for line in lines if "192.168." in line]


def test_resources_use_the_documented_paths() -> None:
    crm = render.crm_configuration(Description(), render.CENTOS6)
    assert "configfile=/etc/httpd/conf/httpd.conf" in crm
    assert "java_home=/usr catalina_home=/usr/local/tomcat" in crm  # ${java_home}/bin/java
    assert "tomcat_user=tomcat" in crm


def test_export_for_the_documented_stack(tmp_path: Path) -> None:
    export(Description(), render.CENTOS6, tmp_path / "r")
    data = json.loads((tmp_path / "r" / "nodes.json").read_text())
    assert (data["stack"], data["provision"]["dir"]) == ("centos6", "provision/centos6")
    assert data["required_files"] == list(render.CENTOS6_FILES)
    manifest = (tmp_path / "r" / "s1" / "manifest.tsv").read_text()
    assert "file\t/etc/ha.d/ha.cf\t0644" in manifest
    assert "file\t/etc/init.d/tomcat\t0755" in manifest
    assert "authkeys" not in manifest  # made per cluster on the nodes, never exported


def _lib(share: Path, body: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": path or os.environ["PATH"], "HACLUSTER_SHARE": str(share)}
    script = f'set -euo pipefail; source {shlex.quote(str(PROVISION / "lib.sh"))}; {body}'
    return subprocess.run(["bash", "--noprofile", "--norc", "-c", script], capture_output=True,
                          text=True, env=env, timeout=60, check=False)


@pytest.mark.parametrize(
    ("fixture", "up"),
    [
        ("seed_manual_crm_mon_A_two_nodes_no_resources.txt", True),
        ("seed_vagrant_crm_mon_A_web_on_s1.txt", True),
        ("seed_tomcat_crm_mon_f_two_groups_on_s1.txt", False),  # abridged: no DC line
        ("seed_manual_crm_mon_A_one_node_no_resources.txt", False),
    ],
)
def test_cluster_up_text_reads_pacemaker_1_0(fixture: str, up: bool, tmp_path: Path) -> None:
    path = shlex.quote(str(CRM_MON_DATA / fixture))
    proc = _lib(tmp_path, f'CLUSTER_NODES="s1 s2"; cluster_up_text "$(cat {path})"')
    assert (proc.returncode == 0) is up, proc.stderr


def test_a_script_refuses_an_export_of_the_other_stack(tmp_path: Path) -> None:
    export(Description(), render.DEBIAN12, tmp_path / ".hacluster" / "rendered")
    proc = _lib(tmp_path, "load_node s1 centos6")
    assert proc.returncode != 0
    assert "the export is for stack debian12; this script provisions centos6" in proc.stderr


FAKE_CRM_MON = """#!/bin/sh
exec cat "$FAKE_TEXT"
"""
FAKE_RECORDER = """#!/bin/sh
echo "$(basename "$0") $*" >> "$FAKE_LOG"
"""


def _pacemaker_sh(tmp_path: Path, text: str, timeout_s: int):
    share = tmp_path / "share"
    rendered = share / ".hacluster" / "rendered"
    export(from_mapping({"timings": {"bringup_timeout_s": timeout_s}}), render.CENTOS6, rendered)
    (share / "provision").mkdir()
    shutil.copy(PROVISION / "lib.sh", share / "provision" / "lib.sh")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, body in {"crm_mon": FAKE_CRM_MON, "crm": FAKE_RECORDER,
                       "crm_verify": FAKE_RECORDER}.items():
        (bin_dir / name).write_text(body)
        (bin_dir / name).chmod(0o755)
    log = tmp_path / "calls.log"
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", "HACLUSTER_SHARE": str(share),
           "FAKE_TEXT": str(CRM_MON_DATA / text), "FAKE_LOG": str(log)}
    proc = subprocess.run(["bash", str(PROVISION / "centos6" / "pacemaker.sh"), "s2"],
                          capture_output=True, text=True, env=env, timeout=60, check=False)
    return proc, log, rendered


def test_pacemaker_sh_loads_the_resources_once_heartbeat_has_both(tmp_path: Path) -> None:
    proc, log, rendered = _pacemaker_sh(
        tmp_path, "seed_manual_crm_mon_A_two_nodes_no_resources.txt", 30
    )
    assert proc.returncode == 0, proc.stderr
    assert log.read_text().splitlines() == [
        f"crm configure load update {rendered}/resources.crm", "crm_verify -L",
    ]


def test_pacemaker_sh_fails_loudly_after_its_bound(tmp_path: Path) -> None:
    t0 = time.monotonic()
    proc, log, _ = _pacemaker_sh(tmp_path, "seed_manual_crm_mon_A_one_node_no_resources.txt", 2)
    assert proc.returncode != 0
    assert "did not come up within 2s" in proc.stderr
    assert "Online: [ s1 ]" in proc.stderr  # what was seen last
    assert not log.exists()
    assert time.monotonic() - t0 < 20
