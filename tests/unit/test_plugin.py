"""The plugin as users meet it: options, skipping, and one clear error for each bad input.

Run through ``pytester`` in a subprocess, like a user's ``pytest`` run; none of these tests
brings a cluster up (they stop at the checks that come before).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ACCEPTANCE_LIKE = """
import pytest

def test_needs_cluster(hacluster):
    assert hacluster.state() is not None

@pytest.mark.hacluster
def test_marked():
    pass

def test_plain():
    pass
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    pytester.makepyfile(test_cluster=ACCEPTANCE_LIKE)
    return pytester


def test_without_flag_cluster_tests_skip_with_how_to_enable(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("-rs")
    result.assert_outcomes(passed=1, skipped=2)
    result.stdout.fnmatch_lines(["*needs a live cluster: run `pytest --hacluster`*"])


def test_options_are_registered_with_help(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("--help")
    result.stdout.fnmatch_lines([
        "*--hacluster *bring up*", "*--hacluster-backend=*", "*--hacluster-keep*",
        "*--hacluster-report=DIR*", "*hacluster_backend*",
    ])


def test_unknown_backend_is_a_usage_error(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("--hacluster", "--hacluster-backend=docker")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*invalid choice: 'docker'*"])


def test_unknown_stack_is_a_usage_error_naming_the_known_ones(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("--hacluster", "--hacluster-stack=sid")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*--hacluster-stack: no stack 'sid' (known: debian11, debian12, debian13;*"])


def test_ini_backend_is_checked(project: pytest.Pytester) -> None:
    project.makeini("[pytest]\nhacluster_backend = nomad\n")
    result = project.runpytest_subprocess("--hacluster")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*hacluster_backend = 'nomad': choose one of lab, vagrant, ssh*"])


def test_vagrant_without_vagrant_says_how_to_install(project: pytest.Pytester) -> None:
    env = {**os.environ, "PATH": str(project.path)}  # no vagrant on this PATH
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--hacluster", "--hacluster-backend=vagrant",
         "-p", "no:cacheprovider"],
        cwd=project.path, env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    assert proc.returncode == pytest.ExitCode.USAGE_ERROR, proc.stdout + proc.stderr
    assert "vagrant is not installed" in proc.stderr
    assert "apt-get install -y --no-install-recommends vagrant" in proc.stderr


def test_http_from_a_missing_namespace_is_a_usage_error(project: pytest.Pytester) -> None:
    project.makepyprojecttoml(
        '[tool.hacluster.ssh]\nhttp_from = "netns:hacl-no-such-ns"\n'
    )
    result = project.runpytest_subprocess("--hacluster", "--hacluster-backend=ssh")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*no network namespace 'hacl-no-such-ns'*"])


def test_bad_tool_hacluster_names_the_key(project: pytest.Pytester) -> None:
    project.makepyprojecttoml('[tool.hacluster.web]\nvip = "192.168.7.1"\n')
    result = project.runpytest_subprocess("--hacluster")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*pyproject.toml: tool.hacluster.web.vip: 192.168.7.1 is outside*"]
    )


def test_profile_option_picks_the_groups_and_keys_still_apply(project: pytest.Pytester) -> None:
    project.makepyprojecttoml('[tool.hacluster]\nprofile = "apache"\n'
                              '[tool.hacluster.groups.samba]\nvip = "192.168.1.110"\n')
    project.makepyfile(test_groups="""
        def test_groups(hacluster_description):
            d = hacluster_description
            assert d.profile == "apache-samba"
            assert [(g.name, g.vip) for g in d.groups] == [
                ("web", "192.168.1.101"), ("samba", "192.168.1.110")]
    """)
    result = project.runpytest_subprocess("--hacluster-profile=apache-samba")
    assert result.ret == pytest.ExitCode.OK
    bad = project.runpytest_subprocess("--hacluster-profile=nginx")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["*--hacluster-profile: no profile 'nginx'*"])


def test_bad_prefix_is_a_usage_error(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("--hacluster", "--hacluster-prefix=Lab 1")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*lab prefix 'Lab 1' is invalid*"])


def test_a_prefix_too_long_for_xdist_workers_names_the_workers_suffix(
    project: pytest.Pytester,
) -> None:
    """12 characters fit alone, not with '-gw0' (the lab's names are at most 15)."""
    result = project.runpytest_subprocess("--hacluster", "--hacluster-prefix=hacldebian11",
                                          "-n", "2")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([
        "*lab prefix 'hacldebian11-gw0' is invalid*; with -n 2 each worker's lab is the "
        "prefix 'hacldebian11' plus '-gw0'...'-gw1': choose a shorter --hacluster-prefix*"])


def test_missing_packages_name_the_install_command(project: pytest.Pytester) -> None:
    env = {**os.environ, "PATH": str(project.path)}  # nothing the lab needs is on this PATH
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--hacluster", "-p", "no:cacheprovider"],
        cwd=project.path, env=env, capture_output=True, text=True, timeout=60, check=False,
    )
    if os.geteuid() != 0:
        assert "needs root" in proc.stderr
        return
    assert proc.returncode == pytest.ExitCode.USAGE_ERROR, proc.stdout + proc.stderr
    assert "apt-get install -y --no-install-recommends" in proc.stderr
    assert "corosync" in proc.stderr and "pacemaker" in proc.stderr


def test_not_root_says_how_to_run_with_faked_uid(project: pytest.Pytester) -> None:
    """The uid is faked in the test project's conftest: an unprivileged user could not even
    start this machine's interpreter, which lives under /root."""
    project.makeconftest("import os\nos.geteuid = lambda: 1000\n")
    result = project.runpytest_subprocess("--hacluster")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([
        "*the lab backend needs root*Run it as root, e.g. `sudo .venv/bin/pytest --hacluster`*"
    ])


SCENARIO_LIKE = """
import pytest

def test_fault(hacluster_scenario):
    pass

@pytest.mark.hacluster_slow
def test_slow():
    pass
"""


def test_scenarios_skip_without_the_flag_and_slow_ones_without_theirs(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_scenarios=SCENARIO_LIKE)
    result = pytester.runpytest_subprocess("-rs", "--strict-markers")
    result.assert_outcomes(skipped=2)
    result.stdout.fnmatch_lines([
        "*needs a live cluster*", "*takes minutes by nature: run with --hacluster-slow*",
    ])
    result = pytester.runpytest_subprocess("-rs", "--hacluster-slow", "-k", "slow")
    result.assert_outcomes(passed=1, deselected=1)


def test_bad_hacluster_hosts_is_a_usage_error(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess(
        "--hacluster", "--hacluster-backend=ssh", "--hacluster-hosts=s1"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--hacluster-hosts: 's1' is not NODE=HOST[[]:PORT[]]*"])


def test_a_fault_the_backend_cannot_do_skips_the_scenario_with_its_reason(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(test_unsupported="""
from pytest_hacluster.backends.base import FaultNotAllowed, FaultNotSupported

def test_cable():
    raise FaultNotSupported("the ssh backend cannot pull cables")

def test_consent():
    raise FaultNotAllowed("not without --hacluster-allow-faults")

def test_other_errors_still_fail():
    raise RuntimeError("boom")
""")
    result = pytester.runpytest_subprocess("-rs")
    result.assert_outcomes(skipped=2, failed=1)
    result.stdout.fnmatch_lines(["*hacluster: the ssh backend cannot pull cables*"])



MISPREDICTED_CONFTEST = """
import pytest
from types import SimpleNamespace
from pytest_hacluster.config import Description
from pytest_hacluster.backends.base import FaultNotSupported
from pytest_hacluster.http_client import Inline

def no_lan():
    raise FaultNotSupported("a fake cluster has no LAN")

class FakeCluster:
    description = Description()
    urls = {}
    nodes = {}
    oracle = None
    backend = SimpleNamespace(client_runner=lambda workers: Inline(max(workers, 1)),
                              arp_scanner=no_lan)
    def repair(self, progress):
        return None
    def state(self, node=None):
        raise RuntimeError("a fake cluster has no crm_mon")

@pytest.fixture(scope="session")
def hacluster():
    return FakeCluster()

@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    for item in items:  # run without --hacluster: the cluster here is a fake
        item.own_markers = [m for m in item.own_markers if m.name != "skip"]
"""

MISPREDICTED = """
from pytest_hacluster import oracle
from pytest_hacluster.failover import Failover
from pytest_hacluster.faults import Event

def measured(observed, expected):
    f = Failover("move web to s2", Event("move web to s2", 1.0, 1.0, 1.1), 0.1, None)
    f.prediction = oracle.Check(expected, observed, {})
    return f

PREDICTED = oracle.Prediction("crm resource move web s2", {}, {"web": "s2", "webapp": "s1"})

def test_mismatch(hacluster_scenario):
    hacluster_scenario.measurements.append(measured({"web": "s2", "webapp": "s2"}, PREDICTED))

def test_match(hacluster_scenario):
    hacluster_scenario.measurements.append(measured({"web": "s2", "webapp": "s1"}, PREDICTED))

def test_unsimulable(hacluster_scenario):
    hacluster_scenario.measurements.append(
        measured({"web": "s1"}, oracle.Unsimulable("a split")))

def test_oracle_broke(hacluster_scenario):
    hacluster_scenario.measurements.append(
        measured({"web": "s1"}, oracle.Unsimulable("crm_simulate: exit 1", failed=True)))

def test_asserts_it_itself(hacluster_scenario):
    m = measured({"web": "s2", "webapp": "s2"}, PREDICTED)
    hacluster_scenario.measurements.append(m)
    assert m.as_predicted, "the test's own words"
"""


def test_the_scenario_fails_when_placement_differs_from_the_prediction(
    pytester: pytest.Pytester,
) -> None:
    pytester.makeconftest(MISPREDICTED_CONFTEST)
    pytester.makepyfile(test_mispredicted=MISPREDICTED)
    result = pytester.runpytest_subprocess("-rE")
    # Once each: a failure of the test, never again as an error at teardown.
    result.assert_outcomes(passed=2, failed=3)
    result.stdout.fnmatch_lines(
        ["*placement differs from Pacemaker's prediction after move web to s2*"]
    )
    result.stdout.fnmatch_lines(["*could not ask the scheduler: crm_simulate: exit 1*"])
    out = result.stdout.str()
    assert "group webapp: predicted s1, observed s2" in out
    assert "ERROR at teardown" not in out
    own = out[out.index("_ test_asserts_it_itself _"):]
    assert "the test's own words" in own and "placement differs" not in own.split("\n_")[0]


REPEATED = """
import pytest
from pytest_hacluster.failover import Failover
from pytest_hacluster.faults import Event

def test_scenario(hacluster_scenario, hacluster_run):
    f = Failover("kill httpd", Event("kill httpd", 1.0, 1.0, 1.1), 0.1, None)
    f.outages = {"web": []}
    hacluster_scenario.measurements.append(f)
    assert hacluster_run != 2, "the second run fails on purpose"

def test_not_a_scenario():
    pass
"""


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one-process", "xdist"])
def test_repeat_runs_each_scenario_n_times_and_sums_them_up(
    pytester: pytest.Pytester, workers: list[str]
) -> None:
    pytester.makeconftest(MISPREDICTED_CONFTEST)
    pytester.makepyfile(test_repeated=REPEATED)
    result = pytester.runpytest_subprocess("--hacluster-repeat", "3", *workers)
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines([
        "*hacluster: measured failovers (3 runs of each scenario)*",
        "test_scenario  [1 failed, 2 passed]",
        "  kill httpd: worst outage p50 0.0s, p95 0.0s, max 0.0s over 3 runs",
    ])


def test_repeat_must_be_positive(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest_subprocess("--hacluster-repeat", "0")
    result.stderr.fnmatch_lines(["*--hacluster-repeat: N must be at least 1*"])


# -- which [tool.hacluster] a run reads (field case plugin-c-ini-subdir) -----------------------

FIELD_CASE = os.path.join(os.path.dirname(__file__), "data", "field-cases", "plugin-c-ini-subdir")
PRODWEB = "DESC prodweb ('web1', 'web2') 10.20.0.101 *"


@pytest.fixture
def subdir_ini(pytester: pytest.Pytester) -> pytest.Pytester:
    """The field case: [tool.hacluster] in pyproject.toml, pytest's ini in settings/."""
    import shutil

    shutil.copytree(FIELD_CASE, pytester.path, dirs_exist_ok=True)
    return pytester


@pytest.mark.parametrize("args", [
    ["tests/"],
    ["-c", "settings/pytest.ini", "tests/"],
    ["--rootdir=settings", "tests/"],
    ["-c", "settings/pytest.ini", "--rootdir=/", "tests/"],
])
def test_the_projects_description_is_read_whatever_pytest_config_is_used(
    subdir_ini: pytest.Pytester, args: list[str]
) -> None:
    result = subdir_ini.runpytest_subprocess("-s", "-p", "no:cacheprovider", *args)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([PRODWEB])
    result.stdout.fnmatch_lines([f"hacluster: description from {subdir_ini.path}/pyproject.toml*"])


def test_pytest_addopts_and_a_run_from_a_subdirectory_read_it_too(
    subdir_ini: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTEST_ADDOPTS", "-c settings/pytest.ini")
    subdir_ini.runpytest_subprocess("-s", "tests/").stdout.fnmatch_lines([PRODWEB])
    monkeypatch.delenv("PYTEST_ADDOPTS")
    monkeypatch.chdir(subdir_ini.path / "tests")
    subdir_ini.runpytest_subprocess("-s", "-p", "no:cacheprovider", ".").stdout.fnmatch_lines(
        [PRODWEB])


def test_an_option_or_ini_setting_names_the_description_outright(
    subdir_ini: pytest.Pytester,
) -> None:
    (subdir_ini.path / "other.toml").write_text(
        'cluster_name = "staging"\ngateway = "10.20.0.1"\n'
        '[nodes.a1]\nservice_ip = "10.20.0.11"\ninterconnect_ip = "10.30.0.11"\n'
        '[nodes.a2]\nservice_ip = "10.20.0.12"\ninterconnect_ip = "10.30.0.12"\n'
        '[web]\nvip = "10.20.0.101"\n[webapp]\nvip = "10.20.0.102"\n')
    result = subdir_ini.runpytest_subprocess("-s", "-p", "no:cacheprovider",
                                             "--hacluster-config=other.toml", "tests/")
    result.stdout.fnmatch_lines(["DESC staging ('a1', 'a2') 10.20.0.101 *"])
    result.stdout.fnmatch_lines([f"hacluster: description from {subdir_ini.path}/other.toml "
                                 "(named by --hacluster-config)"])
    (subdir_ini.path / "settings" / "pytest.ini").write_text(
        "[pytest]\nhacluster_config = ../other.toml\n")
    result = subdir_ini.runpytest_subprocess("-s", "-p", "no:cacheprovider",
                                             "-c", "settings/pytest.ini", "tests/")
    result.stdout.fnmatch_lines(["*(named by ini setting hacluster_config)*", "DESC staging *"])


def test_a_named_file_that_is_missing_or_describes_nothing_is_a_usage_error(
    subdir_ini: pytest.Pytester,
) -> None:
    result = subdir_ini.runpytest_subprocess("--hacluster-config=absent.toml", "tests/")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--hacluster-config: *absent.toml does not exist*"])
    (subdir_ini.path / "empty.toml").write_text("[tool.black]\nline-length = 90\n")
    result = subdir_ini.runpytest_subprocess("--hacluster-config=empty.toml", "tests/")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*empty.toml has no [[]tool.hacluster[]] table*"])


def test_two_descriptions_that_both_apply_are_an_error_naming_both(
    subdir_ini: pytest.Pytester,
) -> None:
    elsewhere = subdir_ini.path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "pyproject.toml").write_text('[tool.hacluster]\ncluster_name = "other"\n')
    result = subdir_ini.runpytest_subprocess("--rootdir=elsewhere", "-c", "settings/pytest.ini",
                                             "tests/")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*two cluster descriptions apply: *elsewhere/pyproject.toml*"
                                 " and *--hacluster-config*"])


def test_without_any_description_the_header_says_the_seed(project: pytest.Pytester) -> None:
    result = project.runpytest_subprocess("-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["hacluster: description built in (the seed's; "
                                 "no [[]tool.hacluster[]] found; looked in *"])


@pytest.mark.skipif(os.geteuid() != 0 or not os.path.exists("/usr/lib/pacemaker"),
                    reason="the lab's checks need root and this machine's Pacemaker")
def test_a_property_the_stack_does_not_know_is_a_usage_error_before_anything_starts(
    project: pytest.Pytester,
) -> None:
    project.makepyprojecttoml('[tool.hacluster.properties]\nno-quorum-polcy = "ignore"\n')
    result = project.runpytest_subprocess("--hacluster", "--hacluster-prefix=hacl-hcx")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*pyproject.toml: tool.hacluster.properties.no-quorum-polcy: "
                                 "not a cluster option of this stack's Pacemaker*"
                                 "(did you mean no-quorum-policy?)*"])
    assert not os.path.exists("/run/hacluster/hacl-hcx")


def test_the_header_says_the_stack_and_the_root_it_comes_from() -> None:
    from types import SimpleNamespace

    from pytest_hacluster import plugin
    from pytest_hacluster.config import Description, with_stack
    from pytest_hacluster.stash import BACKEND, DESCRIPTION, SOURCE
    from tests import reportdata

    stash = pytest.Stash()
    stash[SOURCE] = "pyproject.toml"  # type: ignore[assignment]
    config = SimpleNamespace(stash=stash)
    stash[DESCRIPTION] = with_stack(Description(), "debian11", "--x")
    assert plugin.pytest_report_header(config)[1] == "hacluster: stack debian11"  # type: ignore[arg-type]
    stash[BACKEND] = SimpleNamespace(stack_origin=reportdata.stack_origin)  # type: ignore[assignment]
    assert plugin.pytest_report_header(config)[1] == (  # type: ignore[arg-type]
        "hacluster: stack debian11 (Debian bullseye), root /var/cache/hacluster/roots/debian11 "
        "built 2026-11-29T23:00:00+0000 in 61.5 s")


UPGRADE_LIKE = """
import pytest

@pytest.mark.hacluster_upgrade
def test_upgrade():
    pass

def test_after():
    pass
"""


def test_the_upgrade_runs_only_when_asked_and_last(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_up=UPGRADE_LIKE)
    result = pytester.runpytest_subprocess("-rs", "--strict-markers")
    result.assert_outcomes(passed=1, skipped=1)
    result.stdout.fnmatch_lines(["*upgrades the lab's nodes to the next Debian release: run "
                                 "with --hacluster-upgrade*"])
    result = pytester.runpytest_subprocess("-v", "--hacluster-upgrade")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*test_after PASSED*", "*test_upgrade PASSED*"])

