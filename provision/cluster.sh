#!/usr/bin/env bash
# cluster.sh NODE: corosync and Pacemaker on one node; the seed's heartbeat.sh on Debian 12
# (packages, hosts, the cluster's config and key, then start the cluster stack).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "${HACLUSTER_SHARE:-/vagrant}/provision/lib.sh"
load_node "${1:-}"

# FENCE_PACKAGES: what the fence device's agent needs (fence-agents for fence_vbox), else empty
# shellcheck disable=SC2086  # a list of package names, split on purpose
apt_install corosync pacemaker crmsh resource-agents ${FENCE_PACKAGES:-}

check_nic service "$SERVICE_NIC" "$SERVICE_IP" service_nic
check_nic interconnect "$INTERCONNECT_NIC" "$INTERCONNECT_IP" interconnect_nic

install_rendered "$HACLUSTER_NODE" /etc/hosts /etc/hostname /etc/corosync /usr/local/sbin

# The authkey is the one thing that is not rendered: the host made it for this cluster and the
# rsync folder brought it here (the same key on every node). It is never printed.
install_authkey() {
    local dest=$HACLUSTER_ROOT/etc/corosync/authkey
    cluster_secret authkey
    local shared=$CLUSTER_SECRET
    [[ $(stat -c %s "$shared") -eq 256 ]] || die "$shared is not 256 bytes: destroy the" \
        "machines (vagrant destroy) and bring the cluster up again; the host makes a new key"
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
