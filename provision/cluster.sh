#!/usr/bin/env bash
# cluster.sh NODE: corosync and Pacemaker on one node; the seed's heartbeat.sh on Debian 12
# (packages, hosts, the cluster's config and key, then start the cluster stack).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "${HACLUSTER_SHARE:-/vagrant}/provision/lib.sh"
load_node "${1:-}"

apt_install corosync pacemaker crmsh resource-agents

# IPaddr2 brings the VIPs up on SERVICE_NIC (nic= in resources.crm) and corosync talks over the
# interconnect: a box that names its interfaces differently would fail much later, and obscurely.
check_nic() { # ROLE NIC ADDRESS KEY
    if ! ip -o -4 addr show dev "$2" 2>/dev/null | grep -qF " $3/"; then
        die "the $1 address $3 is not on $2. This box has: " \
            "$(ip -o -4 addr show | awk '{printf "%s=%s ", $2, $4}')" \
            "-- set $4 in [tool.hacluster] to the box's name and re-run the export"
    fi
}
check_nic service "$SERVICE_NIC" "$SERVICE_IP" service_nic
check_nic interconnect "$INTERCONNECT_NIC" "$INTERCONNECT_IP" interconnect_nic

install_rendered "$HACLUSTER_NODE" /etc/hosts /etc/hostname /etc/corosync /usr/local/sbin

# The authkey is the one thing that is not rendered: the first node to get here makes it in the
# shared folder (so the host never generates or stores a secret of its own accord), the other
# node finds it there. The key is never printed.
install_authkey() {
    local shared=$HACLUSTER_SHARE/.hacluster/authkey dest=$HACLUSTER_ROOT/etc/corosync/authkey
    # An rsync-type /vagrant is a one-way copy: each node would make its own key and corosync
    # would never form a membership. Only a real shared mount lets the second node see the key.
    mountpoint -q "$HACLUSTER_SHARE" || die "$HACLUSTER_SHARE is not a shared mount (an rsync" \
        "copy?), so the nodes cannot share the corosync authkey. Use a two-way synced folder:" \
        "HACLUSTER_SYNCED_FOLDER=virtualbox (the box needs the guest additions) or nfs."
    if [[ ! -e $shared ]]; then
        local tmp
        tmp=$(mktemp "$shared.XXXXXX") # mode 0600 from the start
        head -c 256 /dev/urandom >"$tmp"
        chmod 0600 "$tmp"
        mv -n "$tmp" "$shared" # never replace a key another node made meanwhile
        rm -f "$tmp"
        say "generated the cluster's corosync authkey in $shared"
    fi
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
