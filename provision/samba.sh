#!/usr/bin/env bash
# samba.sh NODE: Samba for the samba group (the seed's 2013 article), left to Pacemaker, which
# runs Debian's own init scripts (lsb:nmbd, lsb:smbd; CentOS 6 named them nmb and smb). The
# node gets the rendered smb.conf (one read-only guest share, the NetBIOS name the checks ask
# for) and the share's file that names the node serving it.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "${HACLUSTER_SHARE:-/vagrant}/provision/lib.sh"
load_node "${1:-}"

apt_install samba
svc_disable smbd
svc_disable nmbd
[[ -x /etc/init.d/smbd && -x /etc/init.d/nmbd ]] || die "no /etc/init.d/smbd or nmbd after" \
    "installing samba: the lsb resources need them"
install_rendered "$HACLUSTER_NODE" /etc/samba /srv/hacluster-share
# A syntax error here would only surface as the smb resource failing to start.
testparm -s >/dev/null
say "samba installed on $HACLUSTER_NODE, left to Pacemaker"
