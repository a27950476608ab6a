"""Cluster options (crm_config properties) as the stack's own Pacemaker lists them.

A property Pacemaker does not know is stored in the CIB and ignored: a typo such as
``no-quorum-polcy`` passes every check and changes nothing. So ``[tool.hacluster.properties]``
is checked against the options of the Pacemaker that will run the cluster, asked, not listed by
hand:

- ``crm_attribute --list-options=cluster --all --output-as=xml`` where it exists (Pacemaker
  2.1.8 and later; 3.0 lists every cluster option there);
- otherwise the daemons' own ``metadata`` (OCF-style XML): ``pacemaker-schedulerd``,
  ``pacemaker-controld`` and ``pacemaker-based`` (2.0-2.1, in /usr/lib/pacemaker on Debian,
  /usr/libexec/pacemaker on RHEL), or ``pengine``, ``crmd`` and ``cib`` (1.1). Fencing options
  (``stonith-enabled``, ``stonith-timeout``...) are the scheduler's and controller's, not
  pacemaker-fenced's (whose metadata lists a fence device's parameters).

Each option comes with its type, so a value is checked too: a boolean as ``crm_is_true`` reads
one, a time as ``duration.py`` reads it, a select among its values. Asking costs three process
runs (about 30 ms); ``this_machine()`` caches the answer for the run.
"""

from __future__ import annotations

import difflib
import functools
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from pytest_hacluster import duration
from pytest_hacluster.config import ConfigError

LIST_OPTIONS = ["crm_attribute", "--list-options=cluster", "--all", "--output-as=xml"]
DAEMON_DIRS = ("/usr/lib/pacemaker", "/usr/libexec/pacemaker", "/usr/lib64/heartbeat",
               "/usr/lib/heartbeat")
DAEMONS = (("pacemaker-schedulerd", "pengine"), ("pacemaker-controld", "crmd"),
           ("pacemaker-based", "cib"))
# lib/common/strings.c crm_str_to_boolean (2.1.5): what a boolean option accepts.
_BOOLEANS = {"true", "on", "yes", "y", "1", "false", "off", "no", "n", "0"}
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
_SCORE = re.compile(r"^([+-]?[0-9]+|[+-]?INFINITY)$", re.I)
# Read with crm_get_msec, not as an interval: no ISO 8601 (2.1.5 daemons/fenced/pacemaker-fenced.c).
_TIMEOUT_OPTIONS = {"stonith-timeout"}

Runner = Callable[[list[str]], "str | None"]  # argv -> stdout, None when it could not run


@dataclass(frozen=True)
class ClusterOption:
    """One cluster option: its type as the metadata says (boolean, integer, time, select...),
    its default, and for a select the values allowed."""

    name: str
    type: str
    default: str | None
    values: tuple[str, ...] = ()

    def check(self, value: str, where: str) -> None:
        """Raise ``ConfigError`` naming ``where`` when ``value`` is not one this option takes."""
        kind = self.type.lower()
        if kind == "boolean" and value.lower() not in _BOOLEANS:
            raise ConfigError(f"{where}: {value!r} is not a boolean (true or false)")
        if kind in ("integer", "nonnegative_integer") and not _INTEGER.match(value):
            raise ConfigError(f"{where}: {value!r} is not an integer")
        if kind == "score" and not _SCORE.match(value):
            raise ConfigError(f"{where}: {value!r} is not a score (an integer or INFINITY)")
        if kind in ("time", "duration", "timeout"):
            read = duration.timeout_ms if (kind == "timeout" or self.name in _TIMEOUT_OPTIONS) \
                else duration.interval_ms
            try:
                read(value, where, strict=True)
            except duration.DurationError as exc:
                raise ConfigError(str(exc)) from None
        if kind == "select" and self.values and value not in self.values:
            raise ConfigError(f"{where}: {value!r} is not one of {', '.join(self.values)}")


@dataclass(frozen=True)
class ClusterOptions:
    """Every cluster option a stack's Pacemaker knows, and which command said so."""

    options: Mapping[str, ClusterOption]
    source: str

    def check(self, properties: Mapping[str, str], where: str = "tool.hacluster.properties"
              ) -> None:
        """Each property must be an option of this Pacemaker, with a value of its type."""
        for key, value in properties.items():
            option = self.options.get(key)
            if option is None:
                near = difflib.get_close_matches(key, list(self.options), n=2, cutoff=0.85)
                hint = f" (did you mean {', '.join(near)}?)" if near else ""
                raise ConfigError(
                    f"{where}.{key}: not a cluster option of this stack's Pacemaker, which "
                    f"would store it and ignore it{hint} (its options as read from {self.source})"
                )
            option.check(value, f"{where}.{key}")


def parse_metadata(text: str, what: str) -> dict[str, ClusterOption]:
    """The ``<parameter>`` elements of metadata XML (the daemons' or crm_attribute's).

    Raises ``ConfigError`` naming ``what`` when the text is no such XML or lists nothing.
    """
    try:
        root = ET.fromstring(text.strip())
    except ET.ParseError as exc:
        raise ConfigError(f"{what}: not metadata XML ({exc})") from None
    found: dict[str, ClusterOption] = {}
    for param in root.iter("parameter"):
        name = param.get("name")
        content = param.find("content")
        if not name or content is None:
            raise ConfigError(f"{what}: a <parameter> without a name or <content>")
        values = tuple(o.get("value", "") for o in content.iter("option"))
        found[name] = ClusterOption(name, content.get("type", "string"), content.get("default"),
                                    values)
    if not found:
        raise ConfigError(f"{what}: lists no options")
    return found


def ask(run: Runner) -> ClusterOptions | None:
    """The options of the Pacemaker that ``run`` reaches; None when it has no Pacemaker."""
    command = " ".join(LIST_OPTIONS)
    listed = run(LIST_OPTIONS)
    if listed and "<parameter" in listed:
        return ClusterOptions(parse_metadata(listed, command), command)
    options: dict[str, ClusterOption] = {}
    asked = []
    for names in DAEMONS:
        for path in (f"{d}/{n}" for d in DAEMON_DIRS for n in names):
            out = run([path, "metadata"])
            if out:
                options.update(parse_metadata(out, f"{path} metadata"))
                asked.append(f"{path} metadata")
                break
    if not options:
        return None
    return ClusterOptions(options, ", ".join(asked))


def run_here(argv: list[str]) -> str | None:
    """Run a command on this machine; its stdout, or None if it is missing or failed."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


@functools.cache
def this_machine() -> ClusterOptions | None:
    """The cluster options of this machine's Pacemaker (the lab's stack), asked once per run."""
    return ask(run_here)


__all__ = ["ClusterOption", "ClusterOptions", "ask", "parse_metadata", "run_here",
           "this_machine"]
