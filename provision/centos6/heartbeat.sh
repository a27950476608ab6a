#!/usr/bin/env bash
# heartbeat.sh NODE: the seed's heartbeat.sh on CentOS 6 (the documented stack): Pacemaker
# 1.0.13 + Heartbeat 3.0.5 + pm_extras from the Linux-HA Japan tarball placed next to the
# Vagrantfile, the interconnect port, hosts, ha.cf and authkeys, then Heartbeat.
# Only checked statically (shellcheck, unit tests): no CentOS 6 box runs on our machines.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/.. source=lib.sh
source "${HACLUSTER_SHARE:-/vagrant}/provision/lib.sh"
load_node "${1:-}" centos6

repo=pacemaker-1.0.13-2.1.el6.x86_64.repo
tarball=$HACLUSTER_SHARE/$repo.tar.gz
[[ -f $tarball ]] || die "$tarball is missing: place the Linux-HA Japan tarball next to" \
    "the Vagrantfile"

yum_install wget # the apache agent's monitor fetches its statusurl with wget
if ! rpm -q pacemaker heartbeat pm_extras >/dev/null 2>&1; then
    # The tarball's pacemaker.repo points at file:///tmp/<repo>: unpack it where it says.
    tar -xzf "$tarball" -C /tmp
    yum -y -q -c "/tmp/$repo/pacemaker.repo" install \
        pacemaker-1.0.13-2.el6.x86_64 heartbeat-3.0.5-1.1.el6.x86_64 pm_extras-1.5-1.el6.x86_64 ||
        die "installing Pacemaker and Heartbeat from $tarball failed"
    rm -rf "/tmp/$repo"
fi

check_nic service "$SERVICE_NIC" "$SERVICE_IP" service_nic
check_nic interconnect "$INTERCONNECT_NIC" "$INTERCONNECT_IP" interconnect_nic
open_port udp 694
install_rendered "$HACLUSTER_NODE" /etc/hosts /etc/ha.d /usr/local/sbin

# authkeys is the one file that is not rendered: made by the host once per cluster (the seed
# shipped a fixed passphrase), brought by the rsync folder, never printed.
cluster_secret authkeys
dest=$HACLUSTER_ROOT/etc/ha.d/authkeys
if ! { [[ -f $dest ]] && cmp -s "$CLUSTER_SECRET" "$dest"; }; then
    install -D -m 0600 -o root -g root "$CLUSTER_SECRET" "$dest"
    RENDERED_CHANGED+=(/etc/ha.d/authkeys)
    say "installed /etc/ha.d/authkeys (0600 root:root)"
fi

# Restart only when ha.cf or the key changed: a rerun must not bounce a running cluster.
if changed /etc/ha.d/ha.cf || changed /etc/ha.d/authkeys; then
    service heartbeat stop >/dev/null 2>&1 || true
fi
chkconfig heartbeat on
service heartbeat status >/dev/null 2>&1 || service heartbeat start
say "heartbeat running on $HACLUSTER_NODE"
