#!/usr/bin/env bash
# tomcat.sh NODE: Tomcat for the webapp group. Debian's tomcat10 makes the tomcat user and
# Tomcat itself; the node gets the rendered server.xml (HTTP and AJP connectors), its ROOT page
# and the temp directory the tomcat agent's catalina_tmpdir names.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "${HACLUSTER_SHARE:-/vagrant}/provision/lib.sh"
load_node "${1:-}"

apt_install tomcat10 default-jre-headless
svc_disable tomcat10

# The tomcat agent runs ${java_home}/bin/java; a JVM elsewhere (another architecture, another
# Java) would only show up as a failed start.
[[ -x $STACK_JAVA_HOME/bin/java ]] || die "no $STACK_JAVA_HOME/bin/java: the stack's java_home" \
    "does not match this box's JVM ($(readlink -f "$(command -v java || echo none)"))"
id -u "$STACK_TOMCAT_USER" >/dev/null || die "no user $STACK_TOMCAT_USER after installing tomcat10"

install_rendered "$HACLUSTER_NODE" "$STACK_TOMCAT_CONF_DIR" "$STACK_CATALINA_BASE"
say "tomcat10 installed on $HACLUSTER_NODE, left to Pacemaker"
