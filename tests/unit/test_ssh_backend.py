"""The ssh backend and the fabric node: targets from config, one quoting of every command."""

from __future__ import annotations

import subprocess
import time

import pytest

from pytest_hacluster.backends.base import FaultNotSupported, Settings
from pytest_hacluster.backends.ssh import SshBackend, targets
from pytest_hacluster.backends.sshnode import FabricNode, SshTarget
from pytest_hacluster.config import ConfigError, from_mapping


def test_targets_default_to_service_addresses_port_22() -> None:
    got = targets(from_mapping({}))
    assert got == {"s1": SshTarget("192.168.1.121", 22, "root", None),
                   "s2": SshTarget("192.168.1.122", 22, "root", None)}


def test_targets_from_hosts_user_and_key() -> None:
    desc = from_mapping({"ssh": {"user": "vagrant", "key": "/k", "sudo": True,
                                 "keys": {"s2": "/k2"},
                                 "hosts": {"s1": "127.0.0.1:2122", "s2": "[::1]:2222"}}})
    assert targets(desc) == {"s1": SshTarget("127.0.0.1", 2122, "vagrant", "/k"),
                             "s2": SshTarget("::1", 2222, "vagrant", "/k2")}


@pytest.mark.parametrize(
    ("table", "named"),
    [
        ({"ssh": {"hosts": {"s9": "h"}}}, "ssh.hosts.s9: no such node"),
        ({"ssh": {"keys": {"s9": "/k"}}}, "ssh.keys.s9: no such node"),
        ({"ssh": {"hosts": {"s1": "h:99999"}}}, "ssh.hosts.s1"),
        ({"ssh": {"hosts": {"s1": "a b"}}}, "ssh.hosts.s1"),
        ({"ssh": {"http_from": "jumphost"}}, "ssh.http_from"),
        ({"vagrant": {"env": {"A-B": "x"}}}, "vagrant.env"),
        ({"vagrant": {"box": "two words"}}, "vagrant.box"),
    ],
)
def test_bad_access_settings_name_their_key(table: dict, named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        from_mapping(table)


@pytest.mark.parametrize("fault", ["cable", "power_off", "power_on"])
def test_ssh_backend_refuses_hardware_faults_clearly(fault: str) -> None:
    b = SshBackend(from_mapping({}), Settings())
    with pytest.raises(FaultNotSupported, match="ssh backend cannot"):
        if fault == "cable":
            b.set_cable("s1", "eth2", False)
        elif fault == "power_off":
            b.power_off("s1")
        else:
            b.power_on("s1", print)


def _run_as_remote_shell(line: str) -> subprocess.CompletedProcess[bytes]:
    """What sshd does with the line: hand it to the login shell as ``sh -c``."""
    return subprocess.run(["sh", "-c", line], capture_output=True, timeout=10, check=False)


def test_remote_line_keeps_arguments_env_and_binary_input() -> None:
    node = FabricNode("s1", SshTarget("h"), sudo=False)
    data = bytes(range(256))
    line = node.remote_line(["sh", "-c", 'printf "%s|" "$1" "$GREETING"; cat', "x", "a b'c"],
                            data, {"GREETING": "hello; world"})
    done = _run_as_remote_shell(line)
    assert done.stdout == b"a b'c|hello; world|" + data


def test_remote_line_string_is_a_shell_line_with_empty_stdin() -> None:
    node = FabricNode("s1", SshTarget("h"), sudo=False)
    done = _run_as_remote_shell(node.remote_line("echo $((1+2)) && cat", None, None))
    assert done.stdout == b"3\n"


def test_remote_line_bounds_the_command_on_the_node_too() -> None:
    node = FabricNode("s1", SshTarget("h"), sudo=False)
    t0 = time.monotonic()
    done = _run_as_remote_shell(node.remote_line("sleep 30", None, None, timeout=1))
    assert done.returncode == 124 and time.monotonic() - t0 < 10


def test_remote_line_with_sudo_wraps_once() -> None:
    node = FabricNode("s1", SshTarget("h"), sudo=True)
    line = node.remote_line(["id", "-u"], None, None)
    assert line.startswith("sudo -n sh -c ")


def test_faults_on_an_existing_cluster_need_consent() -> None:
    from pytest_hacluster.backends.base import FaultNotAllowed

    with pytest.raises(FaultNotAllowed, match="--hacluster-allow-faults"):
        SshBackend(from_mapping({}), Settings()).check_fault_allowed("kill httpd on s1")
    SshBackend(from_mapping({}), Settings(allow_faults=True)).check_fault_allowed("kill httpd")


def test_hosts_from_the_command_line_override_the_config() -> None:
    from pytest_hacluster.config import with_ssh_hosts

    desc = from_mapping({"ssh": {"hosts": {"s1": "a", "s2": "b"}}})
    got = with_ssh_hosts(desc, "s2=127.0.0.1:2222")
    assert got.ssh.hosts == {"s1": "a", "s2": "127.0.0.1:2222"}
    with pytest.raises(ConfigError, match="NODE=HOST"):
        with_ssh_hosts(desc, "s2")
    with pytest.raises(ConfigError, match="no such node"):
        with_ssh_hosts(desc, "s3=x")
