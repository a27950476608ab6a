"""A stand-in for VirtualBox's ``VBoxManage``: a test harness, not a hypervisor.

The real ``vagrant`` CLI drives VirtualBox only through ``VBoxManage``. This package answers
those calls with "VMs" that are ``node.Node``s (network namespace, copy-on-write root over the
host's ``/`` plus a box layer, reaping PID 1 running ``sshd -D``), so the project's Vagrantfile,
provisioners, python-vagrant and fabric run for real on a machine without VirtualBox.

What it keeps to (shared/notes/vagrant-facts.md):

- every 192.168.x address lives in its own namespaces: the host-only adapters are bridges in
  ``<prefix>.host``; the root namespace gets only ssh forwards on 127.0.0.1;
- ``controlvm setlinkstateN off|on`` takes the host-side veth of NIC N down/up (a pulled cable),
  ``controlvm poweroff`` kills the VM's PID 1 (power cut);
- it names everything ``<prefix>...`` with a lab prefix (``^hacl[a-z0-9-]{0,11}$``) and keeps
  its state in the lab's state dir, so ``hacluster-lab gc`` removes whatever a crashed run left.

Modules: ``state`` (the registry of VMs and host-only interfaces), ``manage`` (the VBoxManage
command line), ``machine`` (start, stop, cable of one VM), ``forward`` (the ssh forwarder),
``box`` (the guest layer and the box file), ``standin`` (make and remove a whole stand-in).
"""
