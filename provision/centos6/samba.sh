#!/usr/bin/env bash
# samba.sh NODE: the seed's 2013 Samba (init scripts nmb and smb, run by Pacemaker as lsb:nmb
# and lsb:smb), the rendered smb.conf and share, NetBIOS and SMB ports open. CentOS 6; only
# checked statically.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR/.. source=lib.sh
source "${HACLUSTER_SHARE:-/vagrant}/provision/lib.sh"
load_node "${1:-}" centos6

yum_install samba
for svc in smb nmb; do
    chkconfig "$svc" off # Pacemaker starts and stops them
    service "$svc" status >/dev/null 2>&1 && service "$svc" stop
done
open_port udp 137
open_port udp 138
open_port tcp 139
open_port tcp 445
install_rendered "$HACLUSTER_NODE" /etc/samba /srv/hacluster-share
testparm -s >/dev/null
say "samba installed on $HACLUSTER_NODE, left to Pacemaker"
