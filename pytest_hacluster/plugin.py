"""The pytest plugin: options, the ``hacluster`` fixture, skipping and guaranteed teardown.

Kept thin: it reads options and ``[tool.hacluster]``, picks a backend by name, and hands a
``Cluster`` to tests. Teardown is guaranteed four ways: the fixture's finalizer, the
``pytest_unconfigure`` hook (which also runs after Ctrl-C), SIGINT and SIGTERM turned into
that path in every process (``interrupt.py``), and, under pytest-xdist, the controller removing
what a worker could not (a worker killed before its teardown ended).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
import time
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest

from pytest_hacluster import config as hconfig
from pytest_hacluster import summary
from pytest_hacluster.backends import CHOICES, BackendError, Settings, backend_class
from pytest_hacluster.backends.base import FaultNotAllowed, FaultNotSupported
from pytest_hacluster.cluster import Cluster, ClusterError
from pytest_hacluster.confirm import SchedulerCheck
from pytest_hacluster.failover import junit_properties
from pytest_hacluster.interrupt import Stopper, die_with_parent
from pytest_hacluster.invariants import Watcher
from pytest_hacluster.profiles import PROFILES
from pytest_hacluster.records import describe_origin
from pytest_hacluster.scenario import Scenario, fencing_properties, settings_interval
from pytest_hacluster.stash import (
    ACTIVE,
    BACKEND,
    DESCRIPTION,
    RECORD,
    SOURCE,
    STOPPER,
    WATCH,
    WORKER_BACKENDS,
    find_description,
    load_description,
)

SKIP_REASON = "needs a live cluster: run `pytest --hacluster` (see README.md)"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("hacluster", "Pacemaker cluster acceptance tests")
    group.addoption(
        "--hacluster", action="store_true", default=False,
        help="bring up (or reach) the cluster and run the tests that need it",
    )
    group.addoption(
        "--hacluster-backend", choices=CHOICES, default=None,
        help="where the cluster runs: lab (namespaces on this machine, default), vagrant, ssh; "
        "default from the ini setting hacluster_backend",
    )
    group.addoption(
        "--hacluster-keep", action="store_true", default=False,
        help="leave the cluster up at the end and reuse a running one at the start",
    )
    group.addoption(
        "--hacluster-prefix", default=None,
        help="name prefix of the lab's namespaces (default from ini hacluster_prefix, or 'hacl')",
    )
    group.addoption(
        "--hacluster-stack", metavar="NAME", default=None,
        help="the Debian release whose cluster stack the lab runs: debian11, debian12, debian13 "
        "(over [tool.hacluster] stack; default: this machine's own packages)",
    )
    group.addoption(
        "--hacluster-profile", metavar="NAME", default=None,
        help="which of the seed's clusters: apache-tomcat (default), apache, apache-samba "
        "(over [tool.hacluster] profile; its other keys still apply)",
    )
    group.addoption(
        "--hacluster-slow", action="store_true", default=False,
        help="also run scenarios that take minutes by nature (tests marked hacluster_slow)",
    )
    group.addoption(
        "--hacluster-upgrade", action="store_true", default=False,
        help="also rehearse the rolling upgrade to the next Debian release (tests marked "
        "hacluster_upgrade; they run last: the lab's nodes end on the next release)",
    )
    group.addoption(
        "--hacluster-repeat", metavar="N", type=int, default=1,
        help="run each fault scenario N times and report p50/p95/max outage per scenario",
    )
    group.addoption(
        "--hacluster-hosts", metavar="NODE=HOST[:PORT],...", default=None,
        help="ssh backend: where the nodes are (over [tool.hacluster.ssh] hosts)",
    )
    group.addoption(
        "--hacluster-allow-faults", action="store_true", default=False,
        help="consent to inject faults into a cluster the run did not make (ssh backend)",
    )
    group.addoption(
        "--hacluster-report", metavar="DIR", default=None,
        help="write the release report there: report.json, report.html, diagnostics/ of failed "
        "tests (DIR must be absent or empty)",
    )
    group.addoption(
        "--hacluster-config", metavar="FILE", default=None,
        help="the cluster description: a pyproject.toml with [tool.hacluster] or a TOML file "
        "holding the description alone (default: ini hacluster_config, else the project's "
        "pyproject.toml, found from pytest's rootdir and the current directory)",
    )
    group.addoption(
        "--hacluster-fencing", action="store_true", default=False,
        help="this run with STONITH on ([tool.hacluster.fencing] enabled = true for one run) "
        "and the fencing scenarios (tests marked hacluster_fencing)",
    )
    parser.addini("hacluster_backend", "default backend for --hacluster", default="lab")
    parser.addini(
        "hacluster_config",
        "the cluster description file, relative to the ini file (as --hacluster-config)",
        default="",
    )
    parser.addini("hacluster_prefix", "default lab prefix", default="hacl")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "hacluster: the test needs the live cluster (skipped without --hacluster)"
    )
    config.addinivalue_line(
        "markers",
        "hacluster_slow: a scenario that takes minutes by nature (run with --hacluster-slow)",
    )
    config.addinivalue_line(
        "markers",
        "hacluster_upgrade: the rolling-upgrade rehearsal (run with --hacluster-upgrade)",
    )
    config.addinivalue_line(
        "markers",
        "hacluster_fencing: a scenario of a cluster with STONITH on (run with --hacluster-fencing)",
    )
    config.addinivalue_line(
        "markers",
        "hacluster_no_fencing: a scenario of the seed's cluster without STONITH (skipped when "
        "fencing is on)",
    )
    config.addinivalue_line(
        "markers",
        "hacluster_quorum: a scenario where quorum means something: 3 nodes or more and "
        "no-quorum-policy other than ignore (skipped otherwise)",
    )
    config.addinivalue_line(
        "markers",
        "hacluster_no_quorum: a scenario of a cluster whose quorum cannot decide (the seed's "
        "pair, or no-quorum-policy=ignore; skipped otherwise)",
    )
    profile = config.getoption("hacluster_profile", None)
    if profile is not None and profile not in PROFILES:
        raise pytest.UsageError(f"hacluster: --hacluster-profile: no profile {profile!r} "
                                f"(known: {', '.join(PROFILES)})")
    config.stash[ACTIVE] = []
    config.stash[SOURCE] = find_description(config)
    config.pluginmanager.register(RunTable(config), "hacluster-runs")
    if config.getoption("hacluster_repeat") < 1:
        raise pytest.UsageError("--hacluster-repeat: N must be at least 1")
    if config.getoption("hacluster_report"):
        from pytest_hacluster.report.plugin import ReportPlugin

        config.pluginmanager.register(ReportPlugin.from_config(config), "hacluster-report")
    if not config.getoption("hacluster"):
        return
    backend = config.getoption("hacluster_backend") or config.getini("hacluster_backend")
    if backend not in CHOICES:
        raise pytest.UsageError(
            f"hacluster_backend = {backend!r}: choose one of {', '.join(CHOICES)}"
        )
    description = load_description(config)
    if config.getoption("hacluster_hosts"):
        try:
            description = hconfig.with_ssh_hosts(description, config.getoption("hacluster_hosts"))
        except hconfig.ConfigError as exc:
            raise pytest.UsageError(str(exc)) from None
    if config.getoption("hacluster_stack") is not None:
        description = _with_stack(description, config.getoption("hacluster_stack"))
    config.stash[DESCRIPTION] = description
    prefix = config.getoption("hacluster_prefix") or config.getini("hacluster_prefix")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:  # each pytest-xdist worker gets a cluster of its own, side by side
        prefix = f"{prefix}-{worker}"
    settings = Settings(
        prefix=prefix,
        keep=config.getoption("hacluster_keep"),
        # Relative paths of the description (vagrant.root, ssh keys) are the file's own.
        rootdir=_description_dir(config),
        allow_faults=config.getoption("hacluster_allow_faults"),
    )
    # pytest-xdist's controller runs no test: its workers' clusters are the ones to check.
    workers = 0 if worker else int(config.getoption("numprocesses", 0) or 0)
    try:
        # Checked here, before collection: a missing package or a clash is one line, at once.
        chosen = backend_class(backend)(description, settings)
        try:
            per_worker = [
                backend_class(backend)(description, dataclasses.replace(settings, prefix=name))
                for name in (f"{prefix}-gw{i}" for i in range(workers))
            ]
        except BackendError as exc:
            raise BackendError(
                f"{exc}; with -n {workers} each worker's lab is the prefix {prefix!r} plus "
                f"'-gw0'...'-gw{workers - 1}': choose a shorter --hacluster-prefix") from None
        if chosen.stack_is_this_machine:
            # The description first: a typo in it is the user's fix, whatever the lab's state
            # (the new-user trial met "the lab is in use" for a misspelt property).
            _check_properties(config, description)
        for each in per_worker or [chosen]:
            each.check()
    except BackendError as exc:
        raise pytest.UsageError(f"hacluster: {exc}") from None
    config.stash[BACKEND] = chosen
    config.stash[WORKER_BACKENDS] = per_worker
    stopper = Stopper()
    stopper.install()
    config.stash[STOPPER] = stopper
    if worker:
        die_with_parent()
    elif workers:
        config.pluginmanager.register(_XdistController(stopper), "hacluster-xdist")


class _XdistController:
    """The controller's side of pytest-xdist: knows each worker's pid, so that a signal
    reaches the workers at once (``interrupt.Stopper``)."""

    def __init__(self, stopper: Stopper) -> None:
        self.stopper = stopper

    @pytest.hookimpl(optionalhook=True)
    def pytest_xdist_newgateway(self, gateway: object) -> None:
        channel = gateway.remote_exec("import os; channel.send(os.getpid())")  # type: ignore[attr-defined]
        self.stopper.forward_to.add(int(channel.receive(timeout=30)))


def _description_dir(config: pytest.Config) -> Path:
    source = config.stash[SOURCE]
    return source.path.parent if source.path is not None else Path(config.rootpath)


def _fencing_on(config: pytest.Config) -> bool:
    if config.getoption("hacluster_fencing"):
        return True
    try:
        return load_description(config).fencing.enabled
    except pytest.UsageError:
        return False  # reported where the description is needed


def _quorum(config: pytest.Config) -> tuple[bool, str]:
    """Whether quorum means something in the described cluster, and the words saying why."""
    try:
        desc = load_description(config)
    except pytest.UsageError:
        return False, "no usable description"  # reported where the description is needed
    return desc.quorum_matters, (
        f"{len(desc.nodes)} nodes, no-quorum-policy={desc.no_quorum_policy}"
    )


def _check_properties(config: pytest.Config, description: hconfig.Description) -> None:
    """Every property is a cluster option of the Pacemaker that will run (asked, cached)."""
    from pytest_hacluster import cluster_options

    try:
        known = cluster_options.this_machine()
        if known is not None:
            known.check(description.properties)
    except hconfig.ConfigError as exc:
        raise pytest.UsageError(f"{config.stash[SOURCE].path}: {exc}") from None


def _with_stack(description: hconfig.Description, name: str) -> hconfig.Description:
    """``--hacluster-stack NAME`` over the description's ``stack``, checked as the key is."""
    try:
        return hconfig.with_stack(description, name, "--hacluster-stack")
    except hconfig.ConfigError as exc:
        raise pytest.UsageError(str(exc)) from None


def pytest_report_header(config: pytest.Config) -> list[str]:
    """Which file the cluster description came from, and which stack runs, before anything."""
    source = config.stash[SOURCE]
    built_in = isinstance(source, hconfig.Source) and source.path is None
    lines = [f"hacluster: description {'' if built_in else 'from '}{source}"]
    backend = config.stash.get(BACKEND, None)
    description = config.stash.get(DESCRIPTION, None)
    if backend is not None:  # --hacluster: the backend knows where the nodes' files come from
        lines.append(f"hacluster: stack {describe_origin(backend.stack_origin())}")
    elif description is not None:
        lines.append(f"hacluster: stack {description.stack or 'this machine'}")
    if description is not None:
        groups = ", ".join(g.name for g in description.groups)
        lines.append(f"hacluster: profile {description.profile}: groups {groups}")
    return lines


# Arguments a test can ask for to run once per part of the described cluster, with test ids
# naming that part (for the default profile: groups web and webapp, services httpd and tomcat,
# checks web, app and tomcat).
PER_GROUP = "hacluster_group"  # a GroupSpec, id: the group's name
PER_SERVICE = "hacluster_service"  # (GroupSpec, Primitive) of every non-VIP primitive, id: its id
PER_CHECK = "hacluster_check"  # a check's name (a key of Description.urls), id: that name


def _description_params(
    config: pytest.Config,
) -> dict[str, tuple[list[object], list[str]]]:
    desc = load_description(config)
    return {
        PER_GROUP: (list(desc.groups), [g.name for g in desc.groups]),
        PER_SERVICE: ([(g, p) for g in desc.groups for p in g.primitives],
                      [p.id for g in desc.groups for p in g.primitives]),
        PER_CHECK: (list(desc.urls), list(desc.urls)),
    }


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``hacluster_group``, ``hacluster_service``, ``hacluster_check``: the test once per
    group, service primitive or check of the described cluster.

    ``--hacluster-repeat N``: every fault scenario (a test using ``hacluster_scenario``)
    N times, as N items ``...-runKofN`` that pytest-xdist can spread over its workers."""
    wanted = [n for n in (PER_GROUP, PER_SERVICE, PER_CHECK) if n in metafunc.fixturenames]
    if wanted:
        params = _description_params(metafunc.config)
        for name in wanted:
            values, ids = params[name]
            metafunc.parametrize(name, values, ids=ids)
    count = metafunc.config.getoption("hacluster_repeat", 1)
    if count > 1 and "hacluster_scenario" in metafunc.fixturenames:
        metafunc.fixturenames.append("hacluster_run")
        metafunc.parametrize(
            "hacluster_run", range(1, count + 1),
            ids=[f"run{k}of{count}" for k in range(1, count + 1)],
        )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("hacluster_slow"):
        slow = pytest.mark.skip(reason="takes minutes by nature: run with --hacluster-slow")
        for item in items:
            if item.get_closest_marker("hacluster_slow"):
                item.add_marker(slow)
    upgrades = [item for item in items if item.get_closest_marker("hacluster_upgrade")]
    if not config.getoption("hacluster_upgrade"):
        for item in upgrades:
            item.add_marker(pytest.mark.skip(
                reason="upgrades the lab's nodes to the next Debian release: run with "
                "--hacluster-upgrade (and --hacluster-stack=debian11 or debian12)"))
    # Last: every test after them would meet a cluster of the next release.
    items[:] = [item for item in items if item not in upgrades] + upgrades
    fencing = _fencing_on(config)
    for item in items:
        if item.get_closest_marker("hacluster_fencing") and not fencing:
            item.add_marker(pytest.mark.skip(
                reason="a scenario with STONITH on: run with --hacluster-fencing"))
        if item.get_closest_marker("hacluster_no_fencing") and fencing:
            item.add_marker(pytest.mark.skip(
                reason="the seed's configuration without STONITH: run without fencing"))
    if any(item.get_closest_marker(m) for m in ("hacluster_quorum", "hacluster_no_quorum")
           for item in items):
        quorum, why = _quorum(config)
        for item in items:
            if item.get_closest_marker("hacluster_quorum") and not quorum:
                item.add_marker(pytest.mark.skip(
                    reason=f"needs 3+ nodes whose minority stops ({why}): describe a third "
                    "node, e.g. --hacluster-config=docs/examples/three-nodes.toml"))
            if item.get_closest_marker("hacluster_no_quorum") and quorum:
                item.add_marker(pytest.mark.skip(
                    reason=f"quorum decides in this cluster ({why}): a lone node stops, no "
                    "two-sided split; see test_minority_partition.py"))
    if config.getoption("hacluster"):
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if "hacluster" in getattr(item, "fixturenames", ()) or item.get_closest_marker(
            "hacluster"
        ):
            item.add_marker(skip)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Last line of defence: a cluster still up (Ctrl-C, crash of a fixture) goes down here.

    Under pytest-xdist this runs in the controller after xdist has ended its workers (killing
    those that did not end within its 10 s): what a worker left of its cluster is removed here.
    """
    stopper = config.stash.get(STOPPER, None)
    with stopper.shielded() if stopper is not None else contextlib.nullcontext():
        for cluster in config.stash.get(ACTIVE, []):
            if not cluster.backend.settings.keep:
                cluster.stop()
        config.stash[ACTIVE] = []
        for backend in config.stash.get(WORKER_BACKENDS, []):
            if not backend.settings.keep:
                removed = backend.remove_leftovers()
                if removed:
                    more = ", ..." if len(removed) > 3 else ""
                    sys.stderr.write(f"hacluster: removed what a worker left ({len(removed)}: "
                                     f"{', '.join(removed[:3])}{more})\n")
    if stopper is not None:
        stopper.uninstall()


def _progress(config: pytest.Config) -> Callable[[str], None]:
    """Progress lines on the terminal, also while a fixture runs under output capture."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capman = config.pluginmanager.get_plugin("capturemanager")

    def show(message: str) -> None:
        if reporter is None:
            return
        with capman.global_and_fixture_disabled() if capman else contextlib.nullcontext():
            reporter.ensure_newline()
            reporter.write_line(f"hacluster: {message}")

    return show


@pytest.fixture(scope="session")
def hacluster_description(pytestconfig: pytest.Config) -> hconfig.Description:
    """The cluster description in effect (the seed's, with ``[tool.hacluster]`` on top)."""
    if DESCRIPTION not in pytestconfig.stash:
        pytestconfig.stash[DESCRIPTION] = load_description(pytestconfig)
    return pytestconfig.stash[DESCRIPTION]


@pytest.fixture(scope="session")
def hacluster(
    pytestconfig: pytest.Config, hacluster_description: hconfig.Description
) -> Iterator[Cluster]:
    """The live cluster: ``.nodes`` (``run()``), ``.http`` (the users' side), ``.state()``."""
    if not pytestconfig.getoption("hacluster"):
        pytest.skip(SKIP_REASON)
    backend = pytestconfig.stash[BACKEND]
    cluster = Cluster(hacluster_description, backend)
    active = pytestconfig.stash[ACTIVE]
    active.append(cluster)
    failed = ""
    try:
        cluster.start(_progress(pytestconfig))
    except (BackendError, ClusterError) as exc:
        failed = str(exc)
    if failed:
        pytest.fail(f"hacluster: {failed}", pytrace=False)
    try:
        yield cluster
    finally:
        stopper = pytestconfig.stash.get(STOPPER, None)
        with stopper.shielded() if stopper is not None else contextlib.nullcontext():
            if cluster in active:
                if not backend.settings.keep:
                    cluster.stop()
                active.remove(cluster)


@pytest.fixture(autouse=True)
def _hacluster_invariants(request: pytest.FixtureRequest) -> Iterator[None]:
    """The invariant watcher beside every test on the live cluster (``invariants.py``).

    A scenario's own watcher starts after its repair and stops before the next one; tests
    without a scenario get one here. ``pytest_pyfunc_call`` fails a test whose watcher saw an
    invariant broken that the test did not declare.
    """
    if (
        "hacluster" not in request.fixturenames
        or "hacluster_scenario" in request.fixturenames
        or not request.config.getoption("hacluster")
    ):
        yield
        return
    cluster: Cluster = request.getfixturevalue("hacluster")
    watch = Watcher(cluster, settings_interval(cluster)).start()
    request.node.stash[WATCH] = watch
    try:
        yield
    finally:
        watch.stop()


@pytest.fixture
def hacluster_scenario(request: pytest.FixtureRequest, hacluster: Cluster) -> Iterator[Scenario]:
    """A scenario on a clean cluster: the probe and the invariant watcher run, faults are undone
    and the cluster repaired at the end whatever the outcome. Setup repairs leftovers of an
    earlier test or fails naming them; teardown fails the same way when the cluster cannot be
    made clean again.
    """
    progress = _progress(request.config)
    unclean = ""
    try:
        hacluster.repair(progress)
    except ClusterError as exc:
        unclean = str(exc)
    if unclean:
        pytest.fail(f"hacluster: the cluster is not clean before this test: {unclean}",
                    pytrace=False)
    scenario = Scenario(hacluster).start()
    request.node.stash[WATCH] = scenario.watch
    try:
        yield scenario
    finally:
        stopper = request.config.stash.get(STOPPER, None)
        if stopper is not None and stopper.stopping and hacluster.backend.disposable:
            # A stopped run removes this cluster next: undoing faults and repairing would only
            # delay that (a crashed node powered on, waits for a clean cluster).
            scenario.abandon()
            _record(request, scenario)
        else:
            _finish(request, hacluster, scenario, progress)


def _finish(
    request: pytest.FixtureRequest, cluster: Cluster, scenario: Scenario,
    progress: Callable[[str], None],
) -> None:
    """A scenario's end: undo its faults, record it, repair the cluster; fail naming what
    could not be undone or repaired."""
    not_undone = scenario.close()
    scenario.record_expected_violations()
    _record(request, scenario)
    try:
        cluster.repair(progress)
    except ClusterError as exc:
        not_undone.append(str(exc))
    if not_undone:
        pytest.fail("hacluster: after this test, " + "; ".join(not_undone), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> object:
    """After the test's body: an invariant broken that the test did not declare fails it, and
    so does a placement Pacemaker's scheduler did not predict (or a scheduler that could not
    be asked). Checked only when the body passed: a test that failed (on its own assertion
    of ``as_predicted``, say) is not failed a second time for the same fact.

    A fault this backend cannot or may not inject skips the scenario, saying why (the ssh
    backend cannot pull cables; it injects nothing without --hacluster-allow-faults).
    """
    try:
        outcome = yield
    except (FaultNotSupported, FaultNotAllowed) as exc:
        pytest.skip(f"hacluster: {exc}")
    broken = _unexpected_violations(pyfuncitem)
    if broken:
        pytest.fail(
            "hacluster: invariant broken during the test (declare it with "
            "hacluster_scenario.expect_violations if the scenario predicts it):\n" + broken,
            pytrace=False,
        )
    scenario = pyfuncitem.funcargs.get("hacluster_scenario")
    mispredicted = scenario.prediction_failures() if isinstance(scenario, Scenario) else []
    if mispredicted:
        pytest.fail("hacluster: " + "; ".join(mispredicted), pytrace=False)
    return outcome


def _unexpected_violations(item: pytest.Function) -> str:
    scenario = item.funcargs.get("hacluster_scenario")
    if isinstance(scenario, Scenario):
        found = scenario.unexpected_violations()
        return scenario.describe_violations(found) if found else ""
    watch = item.stash.get(WATCH, None)
    if watch is None:
        return ""
    check = SchedulerCheck(watch.cluster)
    check.settle(watch)
    found = watch.violations()
    check.apply(found)
    found = [v for v in found if v.counts]
    origin = watch.started or 0.0
    return "\n".join(v.describe(origin, time.monotonic()) for v in found)


def _record(request: pytest.FixtureRequest, scenario: Scenario) -> None:
    """The scenario's one record (``Scenario.to_record``) kept for the report and the end
    summary, and its figures as the test's JUnit properties, under the record's names."""
    record = scenario.to_record()
    request.node.stash[RECORD] = record
    props = request.node.user_properties
    failovers = record["failovers"]
    for i, measured in enumerate(failovers):
        tag = f"failover{i + 1}" if len(failovers) > 1 else "failover"
        props += [(f"{tag}.{k}", v) for k, v in junit_properties(measured)]
    props += [(f"finding{i + 1}", f["text"]) for i, f in enumerate(record["findings"])]
    props += [(f"prediction.{p['event']}", p["said"]) for p in record["predictions"]]
    props += [(f"watch.looks_per_s.{k}", v) for k, v in record["watch"]["looks_per_s"].items()]
    props += fencing_properties(record["fencing"])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """The scenario's record rides on its teardown report (``hacluster_record``, JSON types),
    so the end summary reads it also from pytest-xdist's workers."""
    report = yield
    if call.when == "teardown" and RECORD in item.stash:
        report.hacluster_record = item.stash[RECORD]  # type: ignore[attr-defined]
    return report


class RunTable:
    """Collects every test's outcome and figures from its reports, in this process or from
    xdist's workers, and prints the measured failovers at the end (``summary.py``)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.runs: dict[str, summary.Run] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        run = self.runs.setdefault(report.nodeid, summary.Run(report.nodeid))
        run.outcome = summary.outcome_of(
            report.when, report.outcome, hasattr(report, "wasxfail"),
            None if report.when == "setup" else run.outcome,
        )
        run.props.update(dict(report.user_properties))
        record = getattr(report, "hacluster_record", None)  # set at teardown, when it ran
        if record is not None:
            run.record = record

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        """Each measured outage and finding at the end of the run; with
        ``--hacluster-repeat``, p50 / p95 / max per scenario and the runs' verdicts."""
        if os.environ.get("PYTEST_XDIST_WORKER"):
            return  # the controller prints it, from every worker's reports
        table = summary.lines(self.runs.values())
        if not table:
            return
        repeat = self.config.getoption("hacluster_repeat")
        title = "hacluster: measured failovers" + (
            f" ({repeat} runs of each scenario)" if repeat > 1 else ""
        )
        terminalreporter.section(title)
        for line in table:
            terminalreporter.write_line(line)
