"""The Vagrant path on the VirtualBox stand-in against the lab's cold bring-up, in one run.

    sudo .venv/bin/python benchmarks/vagrant_bringup.py [--prefix P] [--lab-prefix P]

Phases of the vagrant backend (seconds): making the stand-in (box layer, ``vagrant box add``),
``vagrant up`` of both nodes with provisioning, until all green (both groups Started, the three
URLs 200 from the stand-in's namespace), ``vagrant destroy --force``, removing the stand-in;
then one cold bring-up of the lab (benchmarks/bringup.py) for comparison. Reported, not
asserted. Needs vagrant (apt-get install -y --no-install-recommends vagrant). (Not named
vagrant.py: run as a script, that name would shadow python-vagrant's module.)
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bringup import one_run

from pytest_hacluster.backends.base import Settings
from pytest_hacluster.backends.lab import remove
from pytest_hacluster.backends.vagrant import VagrantBackend
from pytest_hacluster.cluster import Cluster
from pytest_hacluster.config import from_mapping
from pytest_hacluster.hostonly import VBOX_ETC_ENV
from pytest_hacluster.vbox.standin import StandIn

REPO = Path(__file__).resolve().parents[1]


def vagrant_run(prefix: str) -> dict[str, float]:
    marks: dict[str, float] = {}
    remove(prefix)
    standin = StandIn(prefix)
    t0 = time.monotonic()
    # A runner set up as the README says: networks.conf allows the seed's networks.
    standin.create(allow=("192.168.1.0/24", "192.168.9.0/24"))
    marks["stand-in made (box layer, box add)"] = time.monotonic() - t0
    project = Path(tempfile.mkdtemp(prefix="hacl-vagrant-bench."))
    try:
        shutil.copy(REPO / "Vagrantfile", project / "Vagrantfile")
        shutil.copytree(REPO / "provision", project / "provision")
        env = standin.env()
        desc = from_mapping({
            "nodes": {"s1": {"ssh_port": 27122}, "s2": {"ssh_port": 27222}},
            "vagrant": {"http_from": f"netns:{standin.netns}",
                        "env": {k: env[k] for k in ("PATH", "VAGRANT_HOME", VBOX_ETC_ENV)}},
        })
        backend = VagrantBackend(desc, Settings(rootdir=project))
        cluster = Cluster(desc, backend)
        t1 = time.monotonic()
        try:
            backend.up(lambda line: None)
            marks["vagrant up + provision, both nodes"] = time.monotonic() - t1
            cluster.wait_healthy(timeout=300)
            marks["all green (from nothing, stand-in made)"] = time.monotonic() - t1
        finally:
            t2 = time.monotonic()
            cluster.stop()
            marks["vagrant destroy --force"] = time.monotonic() - t2
    finally:
        t3 = time.monotonic()
        standin.destroy()
        marks["stand-in removed"] = time.monotonic() - t3
        shutil.rmtree(project, ignore_errors=True)
    return marks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--prefix", default="hacl-vbb")
    parser.add_argument("--lab-prefix", default="hacl-bench")
    args = parser.parse_args(argv)
    vagrant = vagrant_run(args.prefix)
    remove(args.lab_prefix)
    lab = one_run(args.lab_prefix)
    print("\nvagrant backend on the VirtualBox stand-in (one run)")
    for phase, value in vagrant.items():
        print(f"  {phase:42} {value:8.1f}s")
    print("lab backend, cold (one run)")
    for phase in ("all three URLs 200", "all 4 resources Started", "teardown"):
        print(f"  {phase:42} {lab[phase]:8.1f}s")
    ratio = vagrant["all green (from nothing, stand-in made)"] / lab["all 4 resources Started"]
    print(f"  vagrant all green / lab all Started: {ratio:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
