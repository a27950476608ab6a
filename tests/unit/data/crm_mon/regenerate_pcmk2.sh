#!/bin/sh
# Regenerate the pcmk2_* fixtures from Pacemaker's own tools, without a running cluster.
#
# Everything happens on scratch CIB files in a temporary directory: CIB_file points every
# cibadmin/crm_attribute/crm_resource/crm_mon call at such a file, and crm_simulate reads
# (-x) and writes (-O) files only. Nothing touches /var/lib/pacemaker and no daemon is started.
# `crm` (crmsh) is deliberately not used: on a host it writes /var/log/crmsh.
#
# Usage: tests/unit/data/crm_mon/regenerate_pcmk2.sh   (from anywhere; needs pacemaker-cli-utils)
# Only the timestamps (last_update, last-rc-change, last-failure) change between runs.
set -eu

OUT=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/crm_mon_fixtures.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

# Must stay identical to pytest_hacluster.crm_status.CRM_MON_XML_ARGS.
CRM_MON="crm_mon -1 --output-as=xml --include=failcounts,failures"

# --- the seed's configuration: two nodes, two groups, no fencing, quorum ignored ---------------
cibadmin --empty > base.xml
export CIB_file="$WORK/base.xml"
cibadmin --create -o nodes -X '<node id="1" uname="s1"/>'
cibadmin --create -o nodes -X '<node id="2" uname="s2"/>'
crm_attribute --type crm_config -n stonith-enabled -v false
crm_attribute --type crm_config -n no-quorum-policy -v ignore
cibadmin --create -o resources -X '<group id="web">
  <primitive id="vip_httpd" class="ocf" provider="heartbeat" type="IPaddr2">
    <instance_attributes id="vip_httpd-instance_attributes">
      <nvpair id="vip_httpd-ia-ip" name="ip" value="192.168.1.101"/>
      <nvpair id="vip_httpd-ia-nic" name="nic" value="eth1"/>
      <nvpair id="vip_httpd-ia-cidr_netmask" name="cidr_netmask" value="24"/>
    </instance_attributes>
    <operations><op id="vip_httpd-monitor-10s" name="monitor" interval="10s"/></operations>
  </primitive>
  <primitive id="httpd" class="ocf" provider="heartbeat" type="apache">
    <instance_attributes id="httpd-instance_attributes">
      <nvpair id="httpd-ia-configfile" name="configfile" value="/etc/httpd/conf/httpd.conf"/>
      <nvpair id="httpd-ia-statusurl" name="statusurl" value="http://192.168.1.101/"/>
    </instance_attributes>
    <operations>
      <op id="httpd-start-0" name="start" interval="0" timeout="90" on-fail="restart"/>
      <op id="httpd-monitor-10" name="monitor" interval="10" timeout="60" on-fail="restart"/>
      <op id="httpd-stop-0" name="stop" interval="0" timeout="300" on-fail="block"/>
    </operations>
  </primitive>
</group>'
cibadmin --create -o resources -X '<group id="webapp">
  <primitive id="vip_tomcat" class="ocf" provider="heartbeat" type="IPaddr2">
    <instance_attributes id="vip_tomcat-instance_attributes">
      <nvpair id="vip_tomcat-ia-ip" name="ip" value="192.168.1.102"/>
      <nvpair id="vip_tomcat-ia-nic" name="nic" value="eth1"/>
      <nvpair id="vip_tomcat-ia-cidr_netmask" name="cidr_netmask" value="24"/>
    </instance_attributes>
    <operations><op id="vip_tomcat-monitor-10s" name="monitor" interval="10s"/></operations>
  </primitive>
  <primitive id="tomcat" class="ocf" provider="heartbeat" type="tomcat">
    <instance_attributes id="tomcat-instance_attributes">
      <nvpair id="tomcat-ia-java_home" name="java_home" value="/usr"/>
      <nvpair id="tomcat-ia-catalina_home" name="catalina_home" value="/usr/local/tomcat"/>
      <nvpair id="tomcat-ia-tomcat_user" name="tomcat_user" value="tomcat"/>
      <nvpair id="tomcat-ia-statusurl" name="statusurl" value="http://192.168.1.102:8080/"/>
    </instance_attributes>
    <operations>
      <op id="tomcat-start-0" name="start" interval="0" timeout="90" on-fail="restart"/>
      <op id="tomcat-monitor-10" name="monitor" interval="10" timeout="60" on-fail="restart"/>
      <op id="tomcat-stop-0" name="stop" interval="0" timeout="300" on-fail="block"/>
    </operations>
  </primitive>
</group>'
crm_verify -x base.xml

# Both nodes join; the scheduler spreads the groups: web on s1, webapp on s2.
crm_simulate -x base.xml -S -u s1 -u s2 -O up.xml > /dev/null

# snapshot SIM_OUTPUT DC_UUID HAVE_QUORUM FIXTURE: crm_simulate leaves no DC in the CIB, so set
# the DC and quorum that a real cluster would report, then render it with crm_mon.
snapshot() {
    CIB_file="$WORK/$1" cibadmin -M -X "<cib dc-uuid=\"$2\" have-quorum=\"$3\"/>"
    CIB_file="$WORK/$1" $CRM_MON > "$OUT/$4"
}

# 1. all started, groups spread over s1/s2
snapshot up.xml 1 1 pcmk2_all_started.xml

# 2. s1 in standby: everything moves to s2
cp up.xml standby_in.xml
CIB_file="$WORK/standby_in.xml" crm_attribute -N s1 -n standby -v on
crm_simulate -x standby_in.xml -S -O standby.xml > /dev/null
snapshot standby.xml 2 1 pcmk2_standby_s1.xml

# 3. s2 shut down cleanly: everything on s1, the survivor has no quorum (policy: ignore)
crm_simulate -x up.xml -S -d s2 -O offline.xml > /dev/null
snapshot offline.xml 1 0 pcmk2_offline_s2.xml

# 4. s2 lost with fencing enabled, before fencing: s2 UNCLEAN, webapp still reported on s2
cp up.xml unclean_in.xml
CIB_file="$WORK/unclean_in.xml" crm_attribute --type crm_config -n stonith-enabled -v true
crm_simulate -x unclean_in.xml -R -f s2 -O unclean.xml > /dev/null
snapshot unclean.xml 1 0 pcmk2_unclean_s2.xml

# 5. httpd's monitor fails (rc 7) on s1, before recovery: httpd FAILED, fail-count 1
crm_simulate -x up.xml -R -i httpd_monitor_10000@s1=7 -O monitor_failed.xml > /dev/null
snapshot monitor_failed.xml 1 1 pcmk2_monitor_failed.xml

# 6. the same failure after the cluster restarted httpd in place: Started, fail-count stays 1
crm_simulate -x up.xml -S -i httpd_monitor_10000@s1=7 -O monitor_recovered.xml > /dev/null
snapshot monitor_recovered.xml 1 1 pcmk2_monitor_failed_recovered.xml

# 7. httpd's start fails (rc 1) on s1 with fail-count INFINITY: web is banned from s1
cp up.xml start_failed_in.xml
CIB_file="$WORK/start_failed_in.xml" \
    crm_attribute -N s1 -l reboot -n 'fail-count-httpd#start_0' -v INFINITY
crm_simulate -x start_failed_in.xml -S -i httpd_start_0@s1=1 -O start_failed.xml > /dev/null
snapshot start_failed.xml 1 1 pcmk2_start_failed_infinity.xml

# 8. group webapp stopped (target-role=Stopped): both members Stopped, no nodes
cp up.xml stopped_in.xml
CIB_file="$WORK/stopped_in.xml" crm_resource -r webapp --meta -p target-role -v Stopped \
    > /dev/null
crm_simulate -x stopped_in.xml -S -O stopped.xml > /dev/null
snapshot stopped.xml 1 1 pcmk2_group_stopped.xml

# 9. httpd also found running on s2 (probe says rc 0), before the cluster reacts: multiple-active
crm_simulate -x up.xml -R -i httpd_monitor_10000@s2=0 -O multiple_active.xml > /dev/null
snapshot multiple_active.xml 1 1 pcmk2_multiple_active.xml

# 10. the same state as text: parse_text must refuse 2.x text (its failed actions lack the rc)
CIB_file="$WORK/monitor_failed.xml" crm_mon -1 -r -f > "$OUT/pcmk2_text_monitor_failed.txt"

# 11. crm_mon cannot reach the CIB: 2.1.5 still says status code="0" "OK", but has <errors>
#     and no <nodes> -- the parser must refuse this rather than return an empty cluster.
CIB_file="$WORK/no-such-cib.xml" $CRM_MON > "$OUT/pcmk2_error_cib_unavailable.xml" || true

echo "regenerated: $(cd "$OUT" && ls pcmk2_* | tr '\n' ' ')"
