#!/usr/bin/env bash
# pacemaker.sh NODE: on the last node, once Heartbeat has both nodes online, load the resource
# definitions (the seed's pacemaker.sh). CentOS 6, Pacemaker 1.0 (crm_mon has no XML there);
# only checked statically and with fake crm tools.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/.. source=lib.sh
source "${HACLUSTER_SHARE:-/vagrant}/provision/lib.sh"
load_node "${1:-}" centos6

# The seed looped forever on `crm node status`; a cluster that never forms must fail the
# provisioning, with what was seen.
deadline=$((SECONDS + BRINGUP_TIMEOUT_S))
say "waiting up to ${BRINGUP_TIMEOUT_S}s for nodes $CLUSTER_NODES to be online"
until out=$(timeout 20 crm_mon -1 2>&1) && cluster_up_text "$out"; do
    if ((SECONDS >= deadline)); then
        die "the cluster did not come up within ${BRINGUP_TIMEOUT_S}s (waited for a DC and" \
            "nodes $CLUSTER_NODES online). Last crm_mon -1:"$'\n'"$out"
    fi
    sleep 2
done

# `load update` merges: a rerun with the same file changes nothing.
crm configure load update "$RENDERED/resources.crm"
crm_verify -L
say "resources loaded; crm_mon -1:"
crm_mon -1
