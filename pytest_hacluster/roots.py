"""Node roots of other Debian releases: which release a stack is, and the one cache of roots.

A lab node's copy-on-write root has a lower dir: this machine's ``/`` when the chosen stack is
this machine's own release, else a root of that release built once with ``mmdebstrap`` (Debian's
tool for it) from Debian's own packages and kept under ``ROOT_CACHE/<stack>``, outside the host's
own files and outside any repository. Every lab of that stack shares it read-only (it is only
ever an overlay's lower dir), so a build costs once per machine (shared/notes/stacks-facts.md:
about 20 s for Pacemaker alone, more with Java and Tomcat) and a bring-up nothing extra.

A root carries every profile's services (Samba's too), so one root per stack serves them all.
Its name in the cache is the stack and a digest of its package list (``debian11-1a2b3c4d``,
``Release.cache_name``): a changed package list is another root, built anew, while labs still
running on the old one keep it (an overlay's lower dir removed under a running node would empty
its view); ``hacluster-lab gc --roots`` removes the old one once no lab uses it.

``ROOT_CACHE/<cache name>.json`` records how a root was built (suite, packages, seconds); a root
without it is an interrupted build and is rebuilt. Builds of one root are serialized by a lock
file, so pytest-xdist workers wanting the same root wait for the first one's build.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pytest_hacluster import packages
from pytest_hacluster.render import DEBIAN11, DEBIAN12, DEBIAN13, Stack
from pytest_hacluster.shell import run_local

ROOT_CACHE = Path("/var/cache/hacluster/roots")
MIRROR = "http://deb.debian.org/debian"
HOST_ROOT = Path("/")
# mmdebstrap's time limit: downloading ~200 MB and unpacking it on 2 cores took 20-90 s here.
BUILD_TIMEOUT_S = 900
# Beside packages.REQUIRED: what a node's init needs after pivot_root (umount) and tools the
# tests and resource agents call.
EXTRA_PACKAGES = ("mount", "psmisc", "procps")


class RootError(RuntimeError):
    """A node root could not be built, found or removed; says which and why."""


@dataclass(frozen=True)
class Release:
    """A Debian release the lab can run: its stack (paths), its suite and its Tomcat package."""

    stack: Stack
    suite: str  # Debian's code name, what mmdebstrap and /etc/os-release call it
    tomcat_package: str

    @property
    def name(self) -> str:
        return self.stack.name

    @property
    def required(self) -> tuple[tuple[str, str], ...]:
        """(command or path, Debian package) pairs a node of this release needs: the lab's
        packages and Samba's servers (profile apache-samba; its clients run on this machine)."""
        return (packages.for_tomcat(self.stack.catalina_home, self.tomcat_package)
                + packages.SAMBA_SERVER)

    @property
    def packages(self) -> tuple[str, ...]:
        """The Debian packages its root is built with, sorted."""
        return tuple(sorted({pkg for _, pkg in self.required} | set(EXTRA_PACKAGES)))

    @property
    def cache_name(self) -> str:
        """The root's name in the cache: ``<stack>-<first 8 hex of sha256 of the package
        list>``, so that another package list is another root, never a stale one reused."""
        digest = hashlib.sha256(" ".join(self.packages).encode()).hexdigest()[:8]
        return f"{self.name}-{digest}"


RELEASES = {
    r.name: r
    for r in (
        Release(DEBIAN11, "bullseye", "tomcat9"),  # Pacemaker 2.0.5, corosync 3.1.2, crmsh 4.2
        Release(DEBIAN12, "bookworm", "tomcat10"),  # Pacemaker 2.1.5, corosync 3.1.7, crmsh 4.4
        Release(DEBIAN13, "trixie", "tomcat10"),  # Pacemaker 3.0.0, corosync 3.1.9, crmsh 5.0
    )
}


def release(name: str) -> Release:
    """The release called ``name``; KeyError naming the known ones otherwise."""
    try:
        return RELEASES[name]
    except KeyError:
        raise KeyError(
            f"no stack {name!r} (known: {', '.join(RELEASES)}; empty for this machine's own)"
        ) from None


def this_machine_suite(os_release: Path = Path("/etc/os-release")) -> str | None:
    """``VERSION_CODENAME`` of this machine (``bookworm``), None when it names none."""
    try:
        lines = os_release.read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        key, _, value = line.partition("=")
        if key == "VERSION_CODENAME" and value.strip('"'):
            return value.strip('"')
    return None


def is_this_machine(rel: Release) -> bool:
    """Whether a node of ``rel`` runs this machine's own packages (lower dir ``/``)."""
    return this_machine_suite() == rel.suite


def root_dir(name: str) -> Path:
    """Where the cached root called ``name`` (a ``Release.cache_name``) is or would be."""
    return ROOT_CACHE / name


def release_of_root(path: Path) -> Release | None:
    """The release a cached root ``path`` was built for (also one built with another package
    list, or under a bare stack name by an earlier version); None for any other path."""
    if path.parent != ROOT_CACHE:
        return None
    return RELEASES.get(path.name.split("-", 1)[0])


def _record_path(name: str) -> Path:
    return ROOT_CACHE / f"{name}.json"


@dataclass(frozen=True)
class CachedRoot:
    """One root in the cache, as ``hacluster-lab roots`` lists it."""

    name: str
    path: Path
    suite: str
    packages: tuple[str, ...]
    built: str  # ISO 8601 local time of the build
    build_s: float  # wall seconds mmdebstrap took (download included)
    size_bytes: int | None  # None unless asked (walking 300+ MB takes a while)


def _read_record(name: str) -> dict[str, object] | None:
    try:
        data = json.loads(_record_path(name).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def cached(with_size: bool = False) -> list[CachedRoot]:
    """Every complete root in the cache (an interrupted build is not listed: see ``leftovers``)."""
    if not ROOT_CACHE.is_dir():
        return []
    found = []
    for record in sorted(ROOT_CACHE.glob("*.json")):
        name = record.stem
        data = _read_record(name)
        if data is None or not root_dir(name).is_dir():
            continue
        found.append(CachedRoot(
            name, root_dir(name), str(data.get("suite")),
            tuple(str(p) for p in data.get("packages", [])),  # type: ignore[attr-defined]
            str(data.get("built")), float(data.get("build_s", 0)),  # type: ignore[arg-type]
            _size(root_dir(name)) if with_size else None,
        ))
    return found


def leftovers() -> list[Path]:
    """Directories in the cache that are no complete root (an interrupted build)."""
    if not ROOT_CACHE.is_dir():
        return []
    complete = {c.path for c in cached()}
    return sorted(p for p in ROOT_CACHE.iterdir() if p.is_dir() and p not in complete)


def _size(path: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for f in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(dirpath, f)).st_size
    return total


@contextlib.contextmanager
def locked(name: str) -> Iterator[None]:
    ROOT_CACHE.mkdir(parents=True, exist_ok=True, mode=0o755)
    fd = os.open(ROOT_CACHE / f".{name}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # a build in another process ends within BUILD_TIMEOUT_S
        yield
    finally:
        os.close(fd)


def lower_dir(rel: Release, progress: Callable[[str], None] = lambda _: None) -> Path:
    """The lower dir of a node of ``rel``: ``/`` for this machine's own release, else its
    cached root, built first when missing, interrupted or built with other packages.

    Raises ``RootError`` (naming the release, the command and its output) when mmdebstrap is
    missing or fails, or when the built root lacks what a node needs.
    """
    if is_this_machine(rel):
        return HOST_ROOT
    with locked(rel.cache_name):
        if not _is_current(rel):
            build(rel, progress)
    target = root_dir(rel.cache_name)
    check_root(rel, target)
    return target


def _is_current(rel: Release) -> bool:
    """Whether the cache holds ``rel``'s root complete and built with ``rel.packages``."""
    data = _read_record(rel.cache_name)
    return (data is not None and root_dir(rel.cache_name).is_dir()
            and data.get("suite") == rel.suite
            and list(data.get("packages", [])) == list(rel.packages))  # type: ignore[call-overload]


def build(rel: Release, progress: Callable[[str], None] = lambda _: None) -> CachedRoot:
    """Build (or rebuild) the root of ``rel`` with mmdebstrap into ``root_dir(rel.cache_name)``;
    the caller holds ``locked(rel.cache_name)``. Roots of other package lists are left alone."""
    if shutil.which("mmdebstrap") is None:
        raise RootError(
            f"stack {rel.name} needs a Debian {rel.suite} root built by mmdebstrap, which this "
            "machine lacks. Install with: apt-get install -y --no-install-recommends mmdebstrap"
        )
    name = rel.cache_name
    target, partial = root_dir(name), ROOT_CACHE / f"{name}.partial"
    _record_path(name).unlink(missing_ok=True)
    for stale in (target, partial):
        if stale.exists():
            shutil.rmtree(stale)
    progress(f"building the {rel.name} root (Debian {rel.suite}) with mmdebstrap into {target}")
    argv = [
        "mmdebstrap", "--variant=apt", "--mode=root", "--format=directory",
        f"--include={','.join(rel.packages)}",
        # No recommends, as bootstrap installs the host's. (Man pages stay: OpenJDK's postinst
        # fails when /usr/share/man/man1 is missing.)
        "--aptopt=APT::Install-Recommends \"false\"",
        rel.suite, str(partial),
        # The release as Debian's main archive has it: named outright, mmdebstrap adds no
        # security or updates suites (their pools are not always reachable from a lab machine).
        MIRROR,
    ]
    start = time.monotonic()
    result = run_local(argv, timeout=BUILD_TIMEOUT_S)
    seconds = time.monotonic() - start
    if not result.ok:
        with contextlib.suppress(OSError):
            shutil.rmtree(partial)
        raise RootError(f"building the {rel.name} root failed: {result.describe()}")
    partial.rename(target)
    built = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    _record_path(name).write_text(json.dumps({
        "stack": rel.name, "suite": rel.suite, "packages": list(rel.packages), "built": built,
        "build_s": round(seconds, 1), "command": argv,
    }, indent=2))
    progress(f"built the {rel.name} root in {seconds:.1f}s")
    return CachedRoot(name, target, rel.suite, rel.packages, built, seconds, None)


def check_root(rel: Release, root: Path) -> None:
    """Everything a node of ``rel`` runs is in ``root`` (its own Java included)."""
    lacking = packages.missing(rel.required, root)
    if packages.resolve_in(root, f"{rel.stack.java_home}/bin/java") is None:
        lacking.append((f"{rel.stack.java_home}/bin/java", "default-jre-headless"))
    if lacking:
        raise RootError(
            f"the {rel.name} root {root} lacks {', '.join(t for t, _ in lacking)}: remove it "
            f"with `hacluster-lab roots --remove {rel.name}` and run again to rebuild it"
        )


def origin(rel: Release | None) -> dict[str, object]:
    """Which stack the nodes of ``rel`` (None: this machine's own packages) run and the root
    they come from, for the session header and the report.

    Shape: ``{"name": "debian11", "suite": "bullseye", "root": "/var/cache/hacluster/roots/
    debian11-1a2b3c4d", "this_machine": False, "built": "2026-11-29T10:00:00+0000" or None,
    "build_s": 78.9 or None}``; ``built`` is None while the root is still to be built (the
    bring-up builds it) or is this machine's ``/``. Reads the cache only; raises nothing.
    """
    if rel is None or is_this_machine(rel):
        return {"name": rel.name if rel is not None else "this machine",
                "suite": this_machine_suite(), "root": str(HOST_ROOT), "this_machine": True,
                "built": None, "build_s": None}
    data = _read_record(rel.cache_name)
    current = _is_current(rel)
    return {"name": rel.name, "suite": rel.suite, "root": str(root_dir(rel.cache_name)),
            "this_machine": False,
            "built": str(data.get("built")) if current and data is not None else None,
            "build_s": data.get("build_s") if current and data is not None else None}


def names_of(stack_or_name: str) -> list[str]:
    """The cache names ``hacluster-lab roots --remove`` means: ``debian11`` is every cached root
    of that stack (and its interrupted builds), ``debian11-1a2b3c4d`` that one root."""
    found = {c.name for c in cached()} | {p.name.removesuffix(".partial") for p in leftovers()}
    return sorted(n for n in found
                  if n == stack_or_name or (stack_or_name in RELEASES
                                           and n.split("-", 1)[0] == stack_or_name))


def remove(name: str, in_use_by: list[str]) -> list[str]:
    """Delete the cached root ``name`` (or an interrupted build of it); what was removed.

    ``in_use_by``: labs whose nodes have it as lower dir; removing it under them is refused.
    """
    if in_use_by:
        raise RootError(
            f"the {name} root is the lower dir of lab(s) {', '.join(in_use_by)}: remove those "
            "first (`hacluster-lab down --prefix ...`)"
        )
    removed = []
    with locked(name):
        for path in (root_dir(name), ROOT_CACHE / f"{name}.partial"):
            if path.exists():
                shutil.rmtree(path)
                removed.append(str(path))
        record = _record_path(name)
        if record.exists():
            record.unlink()
            removed.append(str(record))
        (ROOT_CACHE / f".{name}.lock").unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # the cache dir goes with its last root
        ROOT_CACHE.rmdir()
        ROOT_CACHE.parent.rmdir()
    return removed


__all__ = ["RELEASES", "ROOT_CACHE", "CachedRoot", "Release", "RootError", "build", "cached",
           "check_root", "is_this_machine", "leftovers", "locked", "lower_dir", "names_of",
           "origin", "release", "release_of_root", "remove", "root_dir"]
