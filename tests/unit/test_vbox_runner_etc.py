"""How the stand-in's vagrant finds where /etc sits, from /proc/self/mountinfo (pure parts).

The namespace itself is made by the Vagrant-path integration test, with the real vagrant.
"""

from __future__ import annotations

from pytest_hacluster.vbox.runner_etc import holding_mount, mount_points

# A container's mountinfo: / on an overlay, /etc/hosts and /etc/resolv.conf bound in, a
# mount point with a space (octal-escaped, as the kernel writes it).
MOUNTINFO = """\
520 480 0:52 / / rw,relatime master:1 - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w
521 520 0:55 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
530 520 254:1 /docker/hosts /etc/hosts rw,relatime - ext4 /dev/vda1 rw
531 520 254:1 /docker/resolv.conf /etc/resolv.conf rw,relatime - ext4 /dev/vda1 rw
532 520 0:60 / /run/netns rw shared:5 - tmpfs tmpfs rw
533 520 0:61 / /media/my\\040disk rw - tmpfs tmpfs rw
"""


def test_mount_points_in_order_with_escapes_undone() -> None:
    assert mount_points(MOUNTINFO) == [
        "/", "/proc", "/etc/hosts", "/etc/resolv.conf", "/run/netns", "/media/my disk"]


def test_etc_lives_on_the_longest_mount_point_above_it() -> None:
    points = mount_points(MOUNTINFO)
    assert holding_mount(points, "/etc") == "/"
    assert holding_mount([*points, "/etc"], "/etc") == "/etc"  # /etc a mount of its own
    assert holding_mount(["/", "/et"], "/etc") == "/"  # a prefix of the name is not a parent
