"""vagrant's output read by pure functions: machine-readable status, ssh-config, box folders."""

from __future__ import annotations

from pathlib import Path

from pytest_hacluster.backends.sshnode import SshTarget, parse_ssh_config
from pytest_hacluster.backends.vagrant_output import (
    box_dir,
    box_has_provider,
    error_message,
    machine_readable,
    machine_states,
)

DATA = Path(__file__).parent / "data" / "vagrant"


def test_status_gives_each_machines_state() -> None:
    text = (DATA / "status_running_poweroff.txt").read_text()
    assert machine_states(text) == {"s1": "running", "s2": "poweroff"}


def test_machine_readable_unescapes_commas_and_newlines() -> None:
    lines = machine_readable((DATA / "status_running_poweroff.txt").read_text())
    long = next(line for line in lines if line.type == "state-human-long")
    assert "To stop this VM, you can run" in long.data[0]
    assert "\n" in long.data[0]


def test_error_exit_gives_vagrants_message() -> None:
    text = (DATA / "status_unknown_machine.txt").read_text()
    assert machine_states(text) == {}
    message = error_message(text)
    assert message is not None and "'s3' was not found" in message
    assert error_message((DATA / "status_running_poweroff.txt").read_text()) is None


def test_noise_lines_are_skipped() -> None:
    assert machine_readable("Vagrant is upgrading plugins...\n,,\n") == []


def test_ssh_config_gives_a_target_per_host() -> None:
    targets = parse_ssh_config((DATA / "ssh_config_two_nodes.txt").read_text())
    assert targets == {
        "s1": SshTarget("127.0.0.1", 2122, "vagrant",
                        "/home/u/project/.vagrant/machines/s1/virtualbox/private_key"),
        "s2": SshTarget("127.0.0.1", 2222, "vagrant",
                        "/home/u/my project/.vagrant/machines/s2/virtualbox/private_key"),
    }


def test_ssh_config_defaults_and_first_identity_wins() -> None:
    text = "Host a\n  IdentityFile /k1\n  IdentityFile /k2\n# comment\nHost b\n  Port 2200\n"
    assert parse_ssh_config(text) == {
        "a": SshTarget("a", 22, "root", "/k1"),
        "b": SshTarget("b", 2200, "root", None),
    }


def test_box_folder_names_and_provider(tmp_path: Path) -> None:
    assert box_dir(tmp_path, "debian/bookworm64").name == "debian-VAGRANTSLASH-bookworm64"
    assert not box_has_provider(tmp_path, "debian/bookworm64", "virtualbox")
    (box_dir(tmp_path, "debian/bookworm64") / "0" / "libvirt").mkdir(parents=True)
    assert not box_has_provider(tmp_path, "debian/bookworm64", "virtualbox")
    (box_dir(tmp_path, "debian/bookworm64") / "0" / "virtualbox").mkdir()
    assert box_has_provider(tmp_path, "debian/bookworm64", "virtualbox")
