# shellcheck shell=bash
# Sourced by every provision/*.sh. Vagrant uploads each script alone, so this file is read from
# the shared folder. Everything a node gets comes from the export the host made before
# `vagrant up` (python -m pytest_hacluster.export --out .hacluster/rendered): the scripts keep
# no copy of an address, a path of the stack or a file's content.

HACLUSTER_SHARE=${HACLUSTER_SHARE:-/vagrant}
RENDERED=${HACLUSTER_RENDERED:-$HACLUSTER_SHARE/.hacluster/rendered}
# Install under this directory instead of / (DESTDIR-style); only the unit tests set it.
HACLUSTER_ROOT=${HACLUSTER_ROOT:-}
# Paths install_rendered changed in this run: cluster.sh restarts corosync only when needed.
RENDERED_CHANGED=()

say() { printf 'hacluster: %s\n' "$*"; }
die() {
    printf 'hacluster: error: %s\n' "$*" >&2
    exit 1
}

# load_node NODE [STACK]: source NODE's node.env (HACLUSTER_NODE, CLUSTER_NODES, SERVICE_NIC/IP,
# INTERCONNECT_NIC/IP, BRINGUP_TIMEOUT_S, STACK_*), after checking the export is there and was
# made for the stack the calling script provisions (default debian12; provision/centos6/ says
# centos6).
load_node() {
    local node=${1:-} want=${2:-debian12}
    # A host name as [tool.hacluster] accepts it (config.py): s1, lb1.example.net.
    [[ $node =~ ^[A-Za-z0-9][-.A-Za-z0-9]*$ ]] || die "usage: $0 NODE (a node name such as s1)"
    local env=$RENDERED/$node/node.env
    [[ -f $env ]] || die "$env is missing: run 'python -m pytest_hacluster.export --out" \
        ".hacluster/rendered' on the host, then 'vagrant provision'"
    # shellcheck source=/dev/null
    source "$env"
    [[ $HACLUSTER_NODE == "$node" ]] || die "$env is for node $HACLUSTER_NODE, not $node"
    # Package names, paths and service names in a script are its stack's.
    [[ $STACK_NAME == "$want" ]] || die "the export is for stack $STACK_NAME; this script" \
        "provisions $want (export with the box you bring up: --box)"
}

# check_nic ROLE NIC ADDRESS KEY: is ADDRESS on NIC? IPaddr2 brings the VIPs up on SERVICE_NIC
# (nic= in resources.crm) and the cluster talks over the interconnect: a box that names its
# interfaces differently would fail much later, and obscurely.
check_nic() {
    if ! ip -o -4 addr show dev "$2" 2>/dev/null | grep -qF " $3/"; then
        die "the $1 address $3 is not on $2. This box has: " \
            "$(ip -o -4 addr show | awk '{printf "%s=%s ", $2, $4}')" \
            "-- set $4 in [tool.hacluster] to the box's name and re-run the export"
    fi
}

# cluster_secret NAME: the cluster's secret (authkey or authkeys), made on the host once per
# cluster (0600, never printed) and copied one way to every node by vagrant's rsync folder. The
# nodes never make or exchange a key: the default box has no guest additions, so no two-way
# share. Sets CLUSTER_SECRET to its path here.
cluster_secret() {
    local key=$HACLUSTER_SHARE/.hacluster/$1
    [[ -f $key ]] || die "$key is missing. The host makes it before 'vagrant up' (the vagrant" \
        "backend does; by hand: python -m pytest_hacluster.export --out .hacluster/rendered)" \
        "and the rsync folder brings it: run 'vagrant rsync', then 'vagrant provision'"
    # shellcheck disable=SC2034 # the caller's result
    CLUSTER_SECRET=$key
}

# apt_install PKG...: install what is missing, without letting the packages start services.
# Debian starts daemons on install: corosync and pacemaker would come up with the packaged
# one-node corosync.conf (and keep a stray node in the CIB), apache2 and tomcat10 outside
# Pacemaker. policy-rc.d (exit 101) is Debian's way to say "not now".
apt_install() {
    local pkg missing=()
    for pkg in "$@"; do
        if [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true) != "install ok installed" ]]; then
            missing+=("$pkg")
        fi
    done
    ((${#missing[@]})) || return 0
    say "installing ${missing[*]}"
    local policy=/usr/sbin/policy-rc.d made_policy="" status=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\n# hacluster provisioning: no service starts during apt-get\nexit 101\n' >"$policy"
        chmod 0755 "$policy"
        made_policy=1
    fi
    {
        apt-get update -q &&
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
                "${missing[@]}"
    } || status=$?
    # Removed on failure too: a policy-rc.d left behind would block every later start.
    if [[ -n $made_policy ]]; then rm -f "$policy"; fi
    ((status == 0)) || die "apt-get install ${missing[*]} failed (exit $status)"
}

_same_meta() { # PATH MODE OWNER GROUP: does PATH already have this mode and ownership?
    local have
    have=$(stat -c '%a %U %G' "$1" 2>/dev/null) || return 1
    local mode=${have%% *} rest=${have#* }
    ((8#$mode == 8#$2)) && [[ $rest == "$3 $4" ]]
}

_wanted() { # PATH [PREFIX...]: no prefix means every path
    local path=$1 prefix
    shift
    (($#)) || return 0
    for prefix in "$@"; do
        prefix=${prefix%/}
        [[ -n $prefix ]] || die "install_rendered: empty path prefix"
        if [[ $path == "$prefix" || $path == "$prefix"/* ]]; then return 0; fi
    done
    return 1
}

# install_rendered NODE [PREFIX...]: install NODE's files and directories from its manifest
# (kind, path, mode, owner, group; tab-separated) with their mode and owner, limited to paths
# under the PREFIXes when given. Unchanged entries are left alone, so a rerun changes nothing.
install_rendered() {
    local node=$1
    shift
    local manifest=$RENDERED/$node/manifest.tsv
    [[ -f $manifest ]] || die "$manifest is missing: re-run the export on the host"
    local kind path mode owner group src dest
    while IFS=$'\t' read -r kind path mode owner group; do
        [[ -n $kind && $kind != "#"* ]] || continue
        [[ -n $group ]] || die "$manifest: short line for $path"
        _wanted "$path" "$@" || continue
        dest=$HACLUSTER_ROOT$path
        case $kind in
        dir)
            if [[ -d $dest ]] && _same_meta "$dest" "$mode" "$owner" "$group"; then continue; fi
            install -d -m "$mode" -o "$owner" -g "$group" "$dest"
            ;;
        file)
            src=$RENDERED/$node/files/${path#/}
            [[ -f $src ]] || die "$manifest lists $path but $src is missing: re-run the export"
            if [[ -f $dest ]] && cmp -s "$src" "$dest" &&
                _same_meta "$dest" "$mode" "$owner" "$group"; then
                continue
            fi
            install -D -m "$mode" -o "$owner" -g "$group" "$src" "$dest"
            ;;
        *) die "$manifest: unknown kind '$kind' for $path" ;;
        esac
        say "installed $path ($mode $owner:$group)"
        RENDERED_CHANGED+=("$path")
    done <"$manifest"
}

# changed PATH: did install_rendered (or the authkey step) change PATH in this run?
changed() {
    local p
    for p in "${RENDERED_CHANGED[@]}"; do
        [[ $p == "$1" ]] && return 0
    done
    return 1
}

# Services. With systemd as PID 1 (sd_booted: /run/systemd/system exists) systemctl; without
# it (a container-like node) the Debian init scripts, which the packages ship for corosync,
# pacemaker and apache2.
_systemd() { [[ -d /run/systemd/system ]]; }

svc_start() { # NAME: running now and at boot
    if _systemd; then systemctl enable --now "$1"; else service "$1" start; fi
}

svc_stop() { # NAME
    if _systemd; then systemctl stop "$1"; else service "$1" stop; fi
}

# svc_disable NAME: Pacemaker starts and stops NAME; the init system must not, now or at boot.
svc_disable() {
    if _systemd; then
        systemctl disable --now "$1"
    elif [[ -x /etc/init.d/$1 ]]; then
        service "$1" stop
        update-rc.d "$1" disable
    fi
}

# yum_install PKG...: install what is missing (CentOS 6). Services stay off: Pacemaker or the
# scripts start what must run.
yum_install() {
    local pkg missing=()
    for pkg in "$@"; do
        rpm -q "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    ((${#missing[@]})) || return 0
    say "installing ${missing[*]}"
    yum -y -q install "${missing[@]}" || die "yum install ${missing[*]} failed"
}

# open_port PROTO PORT: the seed's iptables rules, added once and saved (CentOS 6).
open_port() {
    local rule=(INPUT -p "$1" -m "$1" --dport "$2" -j ACCEPT)
    if ! iptables -C "${rule[@]}" 2>/dev/null; then
        iptables -I "${rule[@]}"
        service iptables save >/dev/null
        say "opened $2/$1"
    fi
}

# cluster_up_text CRM_MON_1: is every node of CLUSTER_NODES online and a DC elected? Pacemaker
# 1.0's crm_mon has no XML: "Current DC: s1 (...)" and "Online: [ s1 s2 ]".
cluster_up_text() {
    grep -Eq '^Current DC: [^N]' <<<"$1" || return 1
    local online node
    online=$(sed -n 's/^Online: \[ \(.*\) \]$/ \1 /p' <<<"$1")
    for node in $CLUSTER_NODES; do
        [[ $online == *" $node "* ]] || return 1
    done
}

# cluster_up CRM_MON_XML: is a DC elected and every node of CLUSTER_NODES online? (crm_mon
# --output-as=xml of Pacemaker 2.x; `crm node status` alone, the seed's test, is true before
# the second node has joined.)
cluster_up() {
    grep -q '<current_dc present="true"' <<<"$1" || return 1
    local node
    for node in $CLUSTER_NODES; do
        grep -Eq "<node name=\"$node\" [^>]*online=\"true\"" <<<"$1" || return 1
    done
}
