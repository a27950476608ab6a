#!/usr/bin/env bash
# tomcat.sh NODE: the seed's Tomcat 7.0.56 on OpenJDK 7 under /usr/local/tomcat, user tomcat
# with the same uid (700) on every node, the seed's init script (autostart off), JAVA_HOME and
# CATALINA_HOME for login shells, the HTTP and AJP ports. The tarball is placed next to the
# Vagrantfile (the seed's mirror is gone). CentOS 6; only checked statically.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/.. source=lib.sh
source "${HACLUSTER_SHARE:-/vagrant}/provision/lib.sh"
load_node "${1:-}" centos6

version=7.0.56
tarball=$HACLUSTER_SHARE/apache-tomcat-$version.tar.gz
[[ -f $tarball ]] || die "$tarball is missing: place Tomcat $version's tarball next to the" \
    "Vagrantfile"

yum_install java-1.7.0-openjdk
# A fixed uid: files shared between the nodes keep their owner (the seed's reason).
if ! id -u "$STACK_TOMCAT_USER" >/dev/null 2>&1; then
    useradd -s /sbin/nologin -u 700 "$STACK_TOMCAT_USER"
fi
[[ $(id -u "$STACK_TOMCAT_USER") == 700 ]] || die "user $STACK_TOMCAT_USER exists with uid" \
    "$(id -u "$STACK_TOMCAT_USER"), not 700 as on the other node"

if [[ ! -d /usr/local/apache-tomcat-$version ]]; then
    tar -xzf "$tarball" -C /usr/local
    chown -R "$STACK_TOMCAT_USER:$STACK_TOMCAT_USER" "/usr/local/apache-tomcat-$version"
fi
ln -sfn "apache-tomcat-$version" "$STACK_CATALINA_HOME"

install_rendered "$HACLUSTER_NODE" /etc/init.d/tomcat "$STACK_CATALINA_BASE"
chkconfig --add tomcat
chkconfig tomcat off # Pacemaker starts and stops Tomcat

# The agent runs ${java_home}/bin/java: java_home is two levels above the java binary.
[[ -x $STACK_JAVA_HOME/bin/java ]] || die "no $STACK_JAVA_HOME/bin/java after installing Java"
printf 'JAVA_HOME=%s\nCATALINA_HOME=%s\nexport JAVA_HOME CATALINA_HOME\n' \
    "$STACK_JAVA_HOME" "$STACK_CATALINA_HOME" >/etc/profile.d/tomcat.sh

open_port tcp "$TOMCAT_PORT"
open_port tcp "$AJP_PORT"
say "tomcat $version installed on $HACLUSTER_NODE, left to Pacemaker"
