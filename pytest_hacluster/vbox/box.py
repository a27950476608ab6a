"""The stand-in's box: a guest layer over the host's ``/`` and the box file vagrant imports.

Each imported VM starts its node's upper dir as a copy of this layer (its "disk").

A VirtualBox box is a disk image; the stand-in's guest is the host's own userland (Debian) seen
through a copy-on-write root, plus this layer: what a Vagrant base box adds to a plain system
(openssh-server, sudo, ifupdown, a ``vagrant`` user with vagrant's insecure key and
password-less sudo, rsync for vagrant's rsync synced folder), plus a ``shutdown`` that ends
the node's PID 1 (there is no init system to ask). Like the default box ``debian/bookworm64``
it has no VirtualBox guest additions: no ``mount.vboxsf``, no ``vboxsf`` share, so a
Vagrantfile that asks for a ``virtualbox`` synced folder fails here as it would there.

The layer is made by installing the packages inside a throw-away node whose upper dir *is* the
layer: the host's files and package database are never touched. The packages the host lacks
are downloaded with apt into the stand-in's state dir (the nodes have no network beyond the
stand-in's).
"""

from __future__ import annotations

import glob
import io
import json
import tarfile
from pathlib import Path

from pytest_hacluster import netns
from pytest_hacluster.node import Node
from pytest_hacluster.shell import CommandError, run_local
from pytest_hacluster.vbox.state import Place

GUEST_PACKAGES = ("openssh-server", "sudo", "ifupdown", "rsync")
DEBS_IN_NODE = "/media/hacl-debs"
INSECURE_KEYS = (
    "/usr/share/rubygems-integration/all/gems/vagrant-*/keys/vagrant.pub",
    "/opt/vagrant/embedded/gems/gems/vagrant-*/keys/vagrant.pub",
    "/opt/vagrant/embedded/gems/*/gems/vagrant-*/keys/vagrant.pub",
)

# Run inside the build node as root; $1 is the directory of downloaded .debs. Every file lands
# in the node's upper dir, which becomes the box layer.
_SETUP = r"""
set -eu
debs=$1
printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
chmod 0755 /usr/sbin/policy-rc.d
if ls "$debs"/*.deb >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive dpkg -i "$debs"/*.deb
fi
rm -f /usr/sbin/policy-rc.d
id vagrant >/dev/null 2>&1 || useradd -m -s /bin/bash -U vagrant
usermod -p '*' vagrant   # no password, but not locked: sshd refuses locked accounts
install -d -m 0700 -o vagrant -g vagrant /home/vagrant/.ssh
install -m 0600 -o vagrant -g vagrant /dev/stdin /home/vagrant/.ssh/authorized_keys
install -d -m 0755 /etc/sudoers.d
echo 'vagrant ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/vagrant
echo 'Defaults:vagrant !requiretty' >> /etc/sudoers.d/vagrant
chmod 0440 /etc/sudoers.d/vagrant
install -d -m 0755 /etc/ssh/sshd_config.d
# No PAM: pam_loginuid fails in a namespace node and would refuse every login.
printf 'UseDNS no\nUsePAM no\nPasswordAuthentication no\n' \
    > /etc/ssh/sshd_config.d/hacl-standin.conf
install -d -m 0755 /etc/network /etc/network/interfaces.d
printf 'auto lo\niface lo inet loopback\n\nsource /etc/network/interfaces.d/*\n' \
    > /etc/network/interfaces
# No guest additions: whatever mount.vboxsf the host may have must not be the guest's.
for helper in /sbin/mount.vboxsf /usr/sbin/mount.vboxsf; do
    if [ -e "$helper" ]; then rm -f "$helper"; fi
done
rm -f /usr/sbin/shutdown
cat > /usr/sbin/shutdown <<'SH'
#!/bin/sh
# VirtualBox stand-in: no init system; ending PID 1 ends the node (graceful halt).
kill -TERM 1
SH
chmod 0755 /usr/sbin/shutdown
# After setting the hostname vagrant runs `ifdown X;ifup X` for every name `ip` shows, the
# veths' "eth1@if8" aliases included; restarting an interface nothing configures is a no-op
# (the real ifup/ifdown say "unknown interface" and fail). /sbin/ifup itself stays real.
for cmd in ifup ifdown; do
    cat > "/usr/local/sbin/$cmd" <<'SH'
#!/bin/sh
iface=
for arg; do case $arg in -*) ;; *) iface=$arg ;; esac; done
if [ -n "$iface" ] && ! grep -qsE "^[[:space:]]*iface[[:space:]]+$iface[[:space:]]" \
    /etc/network/interfaces /etc/network/interfaces.d/*; then
    exit 0
fi
exec "/usr/sbin/${0##*/}" "$@"
SH
    chmod 0755 "/usr/local/sbin/$cmd"
done
"""


class BoxError(RuntimeError):
    """The box could not be made; says which step failed and its output."""


def insecure_public_key() -> str:
    for pattern in INSECURE_KEYS:
        found = sorted(glob.glob(pattern))
        if found:
            return Path(found[-1]).read_text()
    raise BoxError("vagrant's insecure public key (keys/vagrant.pub) was not found: is vagrant "
                   "installed? apt-get install -y --no-install-recommends vagrant")


def download_debs(place: Place) -> Path:
    """The guest packages this host lacks (with their dependencies), as .deb files."""
    debs = place.dir / "debs"
    (debs / "partial").mkdir(parents=True, exist_ok=True)
    result = run_local(
        ["apt-get", "install", "-d", "-y", "-q", "--no-install-recommends",
         "-o", f"Dir::Cache::archives={debs}", *GUEST_PACKAGES],
        timeout=300, env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C",
                          "DEBIAN_FRONTEND": "noninteractive"},
    )
    if not result.ok:
        raise BoxError(f"downloading {', '.join(GUEST_PACKAGES)} failed: {result.describe()}")
    return debs


def build_layer(place: Place) -> None:
    """Install the guest's additions in a throw-away node whose upper dir is the box layer."""
    debs = download_debs(place)
    ns = f"{place.prefix}.box"
    netns.add(ns)
    node = Node("box", ns, place.dir, binds=[(str(debs), DEBS_IN_NODE)])
    try:
        node.prepare([])
        node.boot()
        node.run(["sh", "-c", _SETUP, "setup", DEBS_IN_NODE], input=insecure_public_key(),
                 timeout=300, check=True)
    except CommandError as exc:
        raise BoxError(f"making the stand-in's box layer failed: {exc}") from exc
    finally:
        if node.alive:
            node.power_off()
        netns.delete(ns)


def write_box_file(path: Path) -> Path:
    """A box vagrant accepts for the virtualbox provider (its disk is the layer, not a file)."""
    with tarfile.open(path, "w") as tar:
        for name, data in (
            ("metadata.json", json.dumps({"provider": "virtualbox"}).encode()),
            ("box.ovf", b"<!-- pytest-hacluster VirtualBox stand-in: no disk image -->\n"),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path
