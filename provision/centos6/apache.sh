#!/usr/bin/env bash
# apache.sh NODE: httpd for the web group with the node's index page (the seed's dummy
# index.html: without a page the apache agent's status fetch gets 403 and every start fails).
# CentOS 6, the documented stack; only checked statically.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/.. source=lib.sh
source "${HACLUSTER_SHARE:-/vagrant}/provision/lib.sh"
load_node "${1:-}" centos6

yum_install httpd wget
chkconfig httpd off # Pacemaker starts and stops httpd
service httpd status >/dev/null 2>&1 && service httpd stop
open_port tcp "$HTTP_PORT"
install_rendered "$HACLUSTER_NODE" "$STACK_DOCROOT"
say "httpd installed on $HACLUSTER_NODE, left to Pacemaker"
