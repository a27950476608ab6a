#!/usr/bin/env bash
# httpd-proxy.sh NODE: httpd proxies the app path to Tomcat's VIP over AJP (the seed's
# httpd-proxy.conf in conf.d). CentOS 6; only checked statically.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/.. source=lib.sh
source "${HACLUSTER_SHARE:-/vagrant}/provision/lib.sh"
load_node "${1:-}" centos6

install_rendered "$HACLUSTER_NODE" "$STACK_APACHE_CONF_DIR"
# A syntax error here would only surface as the httpd resource failing to start.
httpd -t
say "AJP proxy configured on $HACLUSTER_NODE"
