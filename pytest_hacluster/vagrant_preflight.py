"""The vagrant backend's checks from the command line, for a runner's setup and CI.

    python -m pytest_hacluster.vagrant_preflight              # every check, nothing boots
    python -m pytest_hacluster.vagrant_preflight --print-box  # the box the description names

Run in the directory holding ``pyproject.toml`` (or pass ``--config``). The checks are the
backend's own (``VagrantBackend.check``: vagrant, the Vagrantfile, VBoxManage, VirtualBox's
host-only rules against the cluster's networks, a host interface on them, the box added for
virtualbox), so a passing preflight means ``pytest --hacluster --hacluster-backend=vagrant``
gets past its first step. Exit 0 when all pass, 1 with one ``error:`` line per problem, 2 for
a bad configuration.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from pytest_hacluster.backends.base import BackendError, Settings
from pytest_hacluster.backends.vagrant import VagrantBackend, cluster_networks
from pytest_hacluster.config import ConfigError, load


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pytest_hacluster.vagrant_preflight",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("--config", type=Path, default=Path("pyproject.toml"),
                        help="pyproject.toml with [tool.hacluster] (default ./pyproject.toml)")
    parser.add_argument("--print-box", action="store_true",
                        help="print [tool.hacluster.vagrant] box and exit")
    args = parser.parse_args(argv)
    try:
        description = load(args.config)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.print_box:
        print(description.vagrant.box)
        return 0
    backend = VagrantBackend(description, Settings(rootdir=args.config.resolve().parent))
    try:
        backend.check()
    except BackendError as exc:
        for line in str(exc).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 1
    networks = ", ".join(str(n) for n in cluster_networks(description))
    print(f"preflight passed: box {description.vagrant.box}, host-only networks {networks}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
