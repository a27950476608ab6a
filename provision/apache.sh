#!/usr/bin/env bash
# apache.sh NODE: Apache for the web group, with the node's index page (the seed's dummy
# index.html: without a page the apache agent's status fetch gets 403 and every start fails).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "${HACLUSTER_SHARE:-/vagrant}/provision/lib.sh"
load_node "${1:-}"

# wget: the apache agent's monitor fetches statusurl with it.
apt_install apache2 wget
svc_disable apache2
install_rendered "$HACLUSTER_NODE" "$STACK_DOCROOT"
say "apache2 installed on $HACLUSTER_NODE, left to Pacemaker"
