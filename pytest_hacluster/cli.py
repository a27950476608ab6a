"""``hacluster-lab``: the lab by hand, for people debugging a cluster or the plugin.

    hacluster-lab up                 bring a lab up and leave it running
    hacluster-lab status             crm_mon of the lab
    hacluster-lab exec s1 -- CMD..   run a command on a node
    hacluster-lab curl URL           fetch a URL from the clients' side (the host namespace)
    hacluster-lab down               remove the lab
    hacluster-lab gc                 remove leftovers of every lab (or of --prefix) after a crash
    hacluster-lab packages           the Debian packages the lab needs
    hacluster-lab roots              the cached node roots of other releases (--build, --remove)

Every command takes ``--prefix`` (default ``hacl``), so several labs can exist side by side.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from pytest_hacluster import cluster_options, packages, roots
from pytest_hacluster import config as hconfig
from pytest_hacluster.backends.base import BackendError, Settings
from pytest_hacluster.backends.lab import LabBackend, existing_prefixes, remove
from pytest_hacluster.cluster import Cluster, ClusterError
from pytest_hacluster.node import load_records
from pytest_hacluster.shell import run_local
from pytest_hacluster.statedir import STATE_ROOT, by_hand, in_use, mark_by_hand


def _say(message: str) -> None:
    print(f"hacluster-lab: {message}", file=sys.stderr, flush=True)


def _lab(args: argparse.Namespace, keep: bool = True) -> LabBackend:
    named = Path(args.config) if args.config else None
    source = hconfig.discover(named, "--config", None, (Path.cwd(),))
    description = hconfig.load(source.path, getattr(args, "profile", None))
    if getattr(args, "stack", None) is not None:
        description = hconfig.with_stack(description, args.stack, "--stack")
    return LabBackend(description, Settings(prefix=args.prefix, keep=keep))


def _running(args: argparse.Namespace) -> LabBackend:
    """The lab of ``--prefix`` as it runs now; an error naming the fix if there is none."""
    lab = _lab(args)
    why_not = lab.attach(check_description=False, claim=False) if lab.exists() else ""
    if why_not is not None:
        named = f" --prefix {args.prefix}"  # the fix names the lab the user asked about
        raise BackendError(
            f"no running lab {args.prefix!r}{f' ({why_not})' if why_not else ''}: start one "
            f"with `hacluster-lab up{named}` (after `hacluster-lab gc{named}` if it crashed)"
        )
    return lab


def cmd_up(args: argparse.Namespace) -> int:
    lab = _lab(args, keep=False)
    lab.check()
    if lab.stack_is_this_machine:  # else checked against the root's Pacemaker in up()
        known = cluster_options.this_machine()
        if known is not None:
            known.check(lab.description.properties)
    cluster = Cluster(lab.description, lab)
    start = time.monotonic()
    cluster.start(_say)
    mark_by_hand(args.prefix, f"`hacluster-lab up` (pid {os.getpid()}, "
                              f"{time.strftime('%Y-%m-%dT%H:%M:%S%z')})")
    _say(f"lab {args.prefix!r} healthy after {time.monotonic() - start:.1f}s; "
         f"it keeps running until `hacluster-lab down --prefix {args.prefix}`")
    for name, url in lab.description.urls.items():
        _say(f"  {name:7} {url}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    lab = _running(args)
    result = Cluster(lab.description, lab).run_anywhere(["crm_mon", "-1", "-A", "-f", "-r"])
    print(result.stdout, end="")
    return 0


def cmd_exec(args: argparse.Namespace) -> int:
    if not args.command:
        raise BackendError("exec needs a command: hacluster-lab exec s1 -- crm_mon -1")
    lab = _running(args)
    node = lab.nodes().get(args.node)
    if node is None:
        raise BackendError(f"no node {args.node!r}; nodes are {', '.join(lab.nodes())}")
    result = node.run(args.command, timeout=args.timeout)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    return 124 if result.timed_out else result.exited


def cmd_curl(args: argparse.Namespace) -> int:
    lab = _running(args)
    argv = ["ip", "netns", "exec", lab.host_netns, "curl", "-sS", "--max-time", "10",
            *args.curl_args, args.url]
    result = run_local(argv, timeout=15)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    return result.exited


def cmd_down(args: argparse.Namespace) -> int:
    removed = remove(args.prefix)
    _say(f"removed lab {args.prefix!r}: {len(removed)} items" if removed
         else f"no lab {args.prefix!r} on this machine")
    return 0


def why_gc_leaves(prefix: str, named: bool, force: bool) -> str | None:
    """Why ``gc`` must leave lab ``prefix`` alone, or None to remove it: a lab a live process
    claims (unless ``force``), and one a person brought up by hand (unless ``named`` with
    ``--prefix``, or ``force``): no process holds that one's claim, yet it is no leftover."""
    if force:
        return None
    if in_use(prefix):
        return (f"a running process uses it (`hacluster-lab gc --force --prefix {prefix}` "
                "removes it anyway)")
    made = by_hand(prefix)
    if made is not None and not named:
        return (f"brought up by hand with {made} (`hacluster-lab down --prefix {prefix}` "
                "removes it)")
    return None


def cmd_gc(args: argparse.Namespace) -> int:
    prefixes = [args.prefix] if args.prefix else existing_prefixes()
    total = 0
    for prefix in prefixes:
        why = why_gc_leaves(prefix, named=bool(args.prefix), force=args.force)
        if why is not None:
            _say(f"left {prefix!r} alone: {why}")
            continue
        for item in remove(prefix):
            _say(f"removed {item}")
            total += 1
    if args.roots:
        users = roots_in_use()
        for name in sorted({c.name for c in roots.cached()}
                           | {p.name.removesuffix(".partial") for p in roots.leftovers()}):
            in_use_by = users.get(str(roots.root_dir(name)), [])
            if in_use_by:
                _say(f"left the {name} root alone: lab(s) {', '.join(in_use_by)} use it")
                continue
            for item in roots.remove(name, []):
                _say(f"removed {item}")
                total += 1
    _say(f"{total} leftovers removed" if total else "nothing to remove")
    return 0


def roots_in_use() -> dict[str, list[str]]:
    """Cached root path -> the labs whose nodes have it as lower dir (from their lab.json)."""
    users: dict[str, list[str]] = {}
    for prefix in existing_prefixes():
        try:
            records, _ = load_records(STATE_ROOT / prefix / "lab.json")
        except (OSError, ValueError, KeyError, TypeError):
            continue
        for lower in {r.lower for r in records}:
            users.setdefault(lower, []).append(prefix)
    return users


def cmd_roots(args: argparse.Namespace) -> int:
    users = roots_in_use()
    if args.build:
        rel = roots.release(args.build)
        if roots.is_this_machine(rel):
            _say(f"{rel.name} is this machine's own release: its nodes need no root")
            return 0
        with roots.locked(rel.cache_name):
            built = roots.build(rel, _say)
        roots.check_root(rel, built.path)
        return 0
    if args.remove:
        names = ([c.name for c in roots.cached()] if args.remove == "all"
                 else roots.names_of(args.remove) or [args.remove])
        for name in names:
            removed = roots.remove(name, users.get(str(roots.root_dir(name)), []))
            _say(f"removed the {name} root ({len(removed)} items)" if removed
                 else f"no {name} root in {roots.ROOT_CACHE}")
        return 0
    found = roots.cached(with_size=True)
    for c in found:
        used = ", ".join(users.get(str(c.path), [])) or "no lab"
        size = f"{(c.size_bytes or 0) / 2**20:.0f} MiB"
        print(f"{c.name}\t{c.suite}\t{c.path}\t{size}\tbuilt {c.built} in {c.build_s:.0f}s"
              f"\tused by {used}")
    for partial in roots.leftovers():
        print(f"{partial.name}\t-\t{partial}\tinterrupted build (removed by --remove NAME)")
    if not found:
        _say(f"no cached roots in {roots.ROOT_CACHE}")
    return 0


def cmd_packages(args: argparse.Namespace) -> int:
    print(" ".join(packages.debian_packages()))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="hacluster-lab", description=__doc__.split("\n")[0])
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--prefix", default="hacl", help="the lab's name prefix (default hacl)")
    common.add_argument("--config", default=None,
                        help="pyproject.toml with [tool.hacluster] (default ./pyproject.toml)")
    common.add_argument("--profile", default=None,
                        help="which of the seed's clusters: apache-tomcat, apache, apache-samba "
                        "(over [tool.hacluster] profile)")
    sub = parser.add_subparsers(dest="command_name", required=True)
    p = sub.add_parser("up", parents=[common], help="bring a lab up")
    p.add_argument("--stack", default=None, choices=[*roots.RELEASES, ""],
                   help="the release the nodes run (over [tool.hacluster] stack)")
    p.set_defaults(func=cmd_up)
    sub.add_parser("status", parents=[common], help="crm_mon of the lab").set_defaults(
        func=cmd_status)
    p = sub.add_parser("exec", parents=[common], help="run a command on a node")
    p.add_argument("node")
    p.add_argument("--timeout", type=float, default=300)
    p.add_argument("command", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_exec)
    p = sub.add_parser("curl", parents=[common], help="fetch a URL from the clients' side")
    p.add_argument("url")
    p.add_argument("curl_args", nargs=argparse.REMAINDER, help="extra curl options after --")
    p.set_defaults(func=cmd_curl)
    sub.add_parser("down", parents=[common], help="remove the lab").set_defaults(func=cmd_down)
    p = sub.add_parser("gc", help="remove leftovers of crashed runs")
    p.add_argument("--prefix", default=None, help="only this lab (default: every lab)")
    p.add_argument("--force", action="store_true",
                   help="also remove labs a running process still uses")
    p.add_argument("--roots", action="store_true",
                   help="also remove the cached node roots no remaining lab uses")
    p.set_defaults(func=cmd_gc)
    p = sub.add_parser("roots", help="node roots of other releases, cached in "
                       f"{roots.ROOT_CACHE}: list (default), build or remove")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--build", metavar="STACK", choices=list(roots.RELEASES),
                       help="build (or rebuild) the root of STACK now")
    group.add_argument("--remove", metavar="STACK|all",
                       help="remove the root of STACK (or every root); refused while a lab uses it")
    p.set_defaults(func=cmd_roots)
    sub.add_parser("packages", help="Debian packages the lab needs").set_defaults(
        func=cmd_packages)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "command", None) and args.command[:1] == ["--"]:
        args.command = args.command[1:]
    if getattr(args, "curl_args", None) and args.curl_args[:1] == ["--"]:
        args.curl_args = args.curl_args[1:]
    try:
        return args.func(args)
    except (BackendError, ClusterError, hconfig.ConfigError, roots.RootError) as exc:
        _say(f"error: {exc}")
        return 2
    except KeyboardInterrupt:
        _say("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
