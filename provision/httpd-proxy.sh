#!/usr/bin/env bash
# httpd-proxy.sh NODE: Apache proxies the app path to Tomcat's VIP over AJP (the seed's
# httpd-proxy.conf; the rendered file loads mod_proxy and mod_proxy_ajp itself).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "${HACLUSTER_SHARE:-/vagrant}/provision/lib.sh"
load_node "${1:-}"

install_rendered "$HACLUSTER_NODE" "$STACK_APACHE_CONF_DIR" "$STACK_APACHE_PORTS_CONF"
# A syntax error here would only surface as the httpd resource failing to start.
apache2ctl -t
say "AJP proxy configured on $HACLUSTER_NODE"
