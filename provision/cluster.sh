#!/usr/bin/env bash
# cluster.sh NODE: corosync and Pacemaker on one node; the seed's heartbeat.sh on Debian 12
# (packages, hosts, the cluster's config and key, then start the cluster stack).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "${HACLUSTER_SHARE:-/vagrant}/provision/lib.sh"
load_node "${1:-}"

apt_install corosync pacemaker crmsh resource-agents

check_nic service "$SERVICE_NIC" "$SERVICE_IP" service_nic
check_nic interconnect "$INTERCONNECT_NIC" "$INTERCONNECT_IP" interconnect_nic

install_rendered "$HACLUSTER_NODE" /etc/hosts /etc/hostname /etc/corosync /usr/local/sbin

# The authkey is the one thing that is not rendered: the first node to get here makes it in the
# shared folder (so the host never generates or stores a secret of its own accord), the other
# node finds it there. The key is never printed.
random_key() { head -c 256 /dev/urandom; }
install_authkey() {
    local dest=$HACLUSTER_ROOT/etc/corosync/authkey
    shared_secret authkey random_key
    local shared=$SHARED_SECRET
    [[ $(stat -c %s "$shared") -eq 256 ]] || die "$shared is not 256 bytes: delete it and" \
        "provision both nodes again (vagrant provision)"
    if [[ -f $dest ]] && cmp -s "$shared" "$dest" && _same_meta "$dest" 0400 root root; then
        return 0
    fi
    install -D -m 0400 -o root -g root "$shared" "$dest"
    RENDERED_CHANGED+=(/etc/corosync/authkey)
    say "installed /etc/corosync/authkey (0400 root:root)"
}
install_authkey

# Restart only when the configuration or the key changed: a rerun on a running cluster must
# not bounce it.
if changed /etc/corosync/corosync.conf || changed /etc/corosync/authkey; then
    svc_stop pacemaker
    svc_stop corosync
fi
svc_start corosync
svc_start pacemaker
say "corosync and pacemaker running on $HACLUSTER_NODE"
