"""``VBoxManage`` as far as vagrant's VirtualBox provider uses it, answered by the stand-in.

``python -m pytest_hacluster.vbox.manage --prefix P ARGS...`` (the stand-in puts a
``VBoxManage`` script running this on vagrant's PATH). Every call is appended to the stand-in's
``vboxmanage.log``; a call it does not know is logged and answered with success and no output,
which is what vagrant needs from the many queries it makes only for features it then skips.
Errors look like VirtualBox's (``VBoxManage: error: ...`` on stderr, exit 1): vagrant detects
failures by that text.
"""

from __future__ import annotations

import sys
import time
import uuid as uuidlib
from collections.abc import Callable

from pytest_hacluster.vbox.state import VERSION, HostOnlyIf, Nic, Place, Registry, Vm

OVF_NAME = "hacl-standin-box"


class Fail(Exception):
    """A VirtualBox error; ``code`` ends up in stderr, where vagrant looks for it."""

    def __init__(self, message: str, code: str = "VBOX_E_OBJECT_NOT_FOUND",
                 context: str = "") -> None:
        super().__init__(f"{message}\nVBoxManage: error: {context or f'Details: code {code}'}")


def _vm(reg: Registry, ref: str) -> Vm:
    vm = reg.find(ref)
    if vm is None:
        raise Fail(f"Could not find a registered machine named '{ref}'")
    return vm


def _options(args: list[str]) -> list[tuple[str, str]]:
    """``--key value`` pairs (a flag without a value gets "")."""
    out, i = [], 0
    while i < len(args):
        key = args[i]
        if i + 1 < len(args) and not args[i + 1].startswith("--"):
            out.append((key, args[i + 1]))
            i += 2
        else:
            out.append((key, ""))
            i += 1
    return out


# -- queries --------------------------------------------------------------------------------

def list_(place: Place, args: list[str]) -> str:
    what = args[0] if args else ""
    with place.registry() as reg:
        if what == "vms":
            return "".join(f'"{vm.name}" {{{vm.uuid}}}\n' for vm in reg.vms.values())
        if what == "runningvms":
            from pytest_hacluster.vbox.machine import running

            return "".join(f'"{vm.name}" {{{vm.uuid}}}\n' for vm in reg.vms.values()
                           if running(place, vm))
        if what == "hostonlyifs":
            return "\n".join(_hostonly_block(i, h) for i, h in enumerate(reg.hostonlyifs.values()))
    if what == "systemproperties":
        return (f"API version:                     7_0\nDefault machine folder:          "
                f"{place.vms_dir}\n")
    if what == "bridgedifs":
        return "\n".join(_bridged_block(i, name, address)
                         for i, (name, address) in enumerate(_host_interfaces()))
    return ""  # dhcpservers, hdds, natnets...: none here


def _host_interfaces() -> list[tuple[str, str]]:
    """This machine's own interfaces with an IPv4 address (the root namespace; read only), as
    VirtualBox lists the host's interfaces it could bridge: ``[(name, "ip/prefix")]``."""
    import json
    import subprocess

    done = subprocess.run(["ip", "-j", "-4", "addr", "show"], capture_output=True, text=True,
                          timeout=30, check=False)
    if done.returncode != 0:
        raise Fail(f"reading the host's interfaces failed: {done.stderr.strip()}", "E_FAIL")
    out = []
    for link in json.loads(done.stdout or "[]"):
        if "LOOPBACK" in link.get("flags", []):
            continue
        for addr in link.get("addr_info", []):
            out.append((link["ifname"], f"{addr['local']}/{addr['prefixlen']}"))
    return out


def _bridged_block(index: int, name: str, address: str) -> str:
    import ipaddress

    iface = ipaddress.IPv4Interface(address)
    return (
        f"Name:            {name}\nGUID:            00000000-0000-0000-0000-{index:012x}\n"
        f"DHCP:            Disabled\nIPAddress:       {iface.ip}\n"
        f"NetworkMask:     {iface.netmask}\nIPV6Address:\nIPV6NetworkMaskPrefixLength: 0\n"
        f"HardwareAddress: 00:00:00:00:00:{index:02x}\nMediumType:      Ethernet\n"
        f"Wireless:        No\nStatus:          Up\n"
        f"VBoxNetworkName: HostInterfaceNetworking-{name}\n"
    )


def _hostonly_block(index: int, h: HostOnlyIf) -> str:
    # vagrant crashes on an empty IPV6Address: line, so one is always given.
    return (
        f"Name:            {h.name}\n"
        f"GUID:            786f6276-656e-4074-8000-0a00270000{index:02x}\n"
        f"DHCP:            Disabled\nIPAddress:       {h.ip}\nNetworkMask:     {h.netmask}\n"
        f"IPV6Address:     fe80::800:27ff:fe00:{index}\nIPV6NetworkMaskPrefixLength: 64\n"
        f"HardwareAddress: 0a:00:27:00:00:{index:02x}\nMediumType:      Ethernet\n"
        f"Wireless:        No\nStatus:          Up\n"
        f"VBoxNetworkName: HostInterfaceNetworking-{h.name}\n"
    )


def showvminfo(place: Place, args: list[str]) -> str:
    from pytest_hacluster.vbox.machine import running

    with place.registry() as reg:
        vm = _vm(reg, args[0])
    state = "running" if running(place, vm) else "poweroff"
    if "--machinereadable" not in args:
        return f"Name:            {vm.name}\nUUID:            {vm.uuid}\nState:           {state}\n"
    lines = [f'name="{vm.name}"', f'UUID="{vm.uuid}"', 'ostype="Debian (64-bit)"',
             f'CfgFile="{place.vms_dir / vm.short / (vm.name + ".vbox")}"',
             f'VMState="{state}"', 'VMStateChangeTime="2026-01-01T00:00:00.000000000"',
             'GuestAdditionsRunLevel=0']  # the box has no guest additions
    for number in range(1, 9):
        nic = vm.nics.get(str(number), Nic())
        lines.append(f'nic{number}="{nic.type}"')
        if nic.type == "none":
            continue
        if nic.mac:
            lines.append(f'macaddress{number}="{nic.mac}"')
        lines.append(f'cableconnected{number}="{"on" if nic.cable else "off"}"')
        if nic.type == "hostonly":
            lines.append(f'hostonlyadapter{number}="{nic.hostonly}"')
        if number == 1:
            forwards = enumerate(vm.forwards.values())
            lines += [f'Forwarding({i})="{",".join(f)}"' for i, f in forwards]
    for i, (name, path) in enumerate(vm.shared.items(), start=1):
        lines += [f'SharedFolderNameMachineMapping{i}="{name}"',
                  f'SharedFolderPathMachineMapping{i}="{path}"']
    return "\n".join(lines) + "\n"


def guestproperty(place: Place, args: list[str]) -> str:
    if args[:1] != ["get"] or len(args) < 3:
        return ""
    prop = args[2]
    # No /VirtualBox/GuestAdd/Version: the box has no guest additions (vagrant warns, goes on).
    if prop == "/VirtualBox/GuestInfo/OS/Product":
        return "Value: Linux\n"
    return "No value set!\n"


def getextradata(place: Place, args: list[str]) -> str:
    with place.registry() as reg:
        vm = reg.find(args[0])
        value = vm.extradata.get(args[1]) if vm and len(args) > 1 else None
    return f"Value: {value}\n" if value is not None else "No value set!\n"


# -- changes --------------------------------------------------------------------------------

def import_(place: Place, args: list[str]) -> str:
    if "-n" in args or "--dry-run" in args:
        return (f"Interpreting {args[-1]}...\nOK.\nVirtual system 0:\n"
                f' 0: Suggested OS type: "Debian_64"\n 1: Suggested VM name "{OVF_NAME}"\n'
                f' 2: Suggested VM settings file name "{place.vms_dir}/{OVF_NAME}/'
                f'{OVF_NAME}.vbox"\n 3: Number of CPUs: 1\n 4: Guest memory: 512 MB\n')
    opts = dict(_options(args[1:]))
    with place.registry() as reg:
        reg.counter += 1
        vm = Vm(uuid=str(uuidlib.uuid4()), name=opts.get("--vmname", f"{OVF_NAME}_{reg.counter}"),
                short=f"vm{reg.counter}", nics={"1": Nic(type="nat", mac="080027000000")})
        reg.vms[vm.uuid] = vm
    _copy_disk(place, vm)
    return f"Interpreting {args[0]}...\nOK.\nSuccessfully imported the appliance.\n"


def _copy_disk(place: Place, vm: Vm) -> None:
    """The VM's "disk": a copy of the box layer as its node's upper dir, as an import copies
    the box's image. (Not a second overlay layer: the kernel refuses a lower dir under ``/``
    next to ``/`` itself.)
    """
    import subprocess

    target = place.vms_dir / vm.short
    target.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["cp", "-a", str(place.box_layer), str(target / "upper")],
                          capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise Fail(f"copying the box into {target} failed: {done.stderr.strip()}", "E_FAIL")


def modifyvm(place: Place, args: list[str]) -> str:
    with place.registry() as reg:
        vm = _vm(reg, args[0])
        rest = args[1:]
        i = 0
        while i < len(rest):
            key, value = rest[i], rest[i + 1] if i + 1 < len(rest) else ""
            i += 2
            if key.startswith("--natpf"):
                if value == "delete":
                    vm.forwards.pop(rest[i], None)
                    i += 1
                else:
                    fields = value.split(",")
                    vm.forwards[fields[0]] = fields
                continue
            _set_nic_option(vm, key, value)
    return ""


def _set_nic_option(vm: Vm, key: str, value: str) -> None:
    for option in ("--nictype", "--nic", "--hostonlyadapter", "--macaddress", "--cableconnected"):
        number = key.removeprefix(option)
        if key.startswith(option) and number.isdigit():
            nic = vm.nics.setdefault(number, Nic())
            if option == "--nic":
                nic.type = value
            elif option == "--hostonlyadapter":
                nic.hostonly = value
            elif option == "--macaddress":
                nic.mac = "" if value == "auto" else value
            elif option == "--cableconnected":
                nic.cable = value == "on"
            return
    if key == "--name":
        vm.name = value
    else:
        vm.settings[key] = value


def sharedfolder(place: Place, args: list[str]) -> str:
    action, ref, opts = args[0], args[1], dict(_options(args[2:]))
    with place.registry() as reg:
        vm = _vm(reg, ref)
        if action == "add":
            vm.shared[opts["--name"]] = opts["--hostpath"]
        elif action == "remove":
            vm.shared.pop(opts.get("--name", ""), None)
    return ""


def setextradata(place: Place, args: list[str]) -> str:
    with place.registry() as reg:
        vm = reg.find(args[0])
        if vm is not None and len(args) > 1:
            if len(args) > 2:
                vm.extradata[args[1]] = args[2]
            else:
                vm.extradata.pop(args[1], None)
    return ""


def hostonlyif(place: Place, args: list[str]) -> str:
    action = args[0]
    with place.registry() as reg:
        if action == "create":
            n = 0
            while f"vboxnet{n}" in reg.hostonlyifs:
                n += 1
            reg.hostonlyifs[f"vboxnet{n}"] = HostOnlyIf(f"vboxnet{n}")
            return f"Interface 'vboxnet{n}' was successfully created\n"
        hif = reg.hostonlyifs.get(args[1]) if len(args) > 1 else None
        if hif is None:
            raise Fail(f"could not find host interface '{args[1:]}'", "E_INVALIDARG")
        if action == "ipconfig":
            opts = dict(_options(args[2:]))
            _check_allowed(place, opts.get("--ip", ""))
            hif.ip = opts.get("--ip", hif.ip)
            hif.netmask = opts.get("--netmask", hif.netmask)
            _readdress(place, hif)
        elif action == "remove":
            del reg.hostonlyifs[hif.name]
            _drop_bridge(place, hif.name)
    return ""


def _check_allowed(place: Place, ip: str) -> None:
    """VirtualBox 6.1.28+: a host-only adapter address outside networks.conf's ranges (the
    stand-in's runner has it as ``place.vbox_etc``) is refused, in VirtualBox's words (as
    quoted in hashicorp/vagrant#13038 and alike; the rules: ``hostonly``)."""
    import ipaddress

    from pytest_hacluster import hostonly

    if not ip or not hostonly.validates(hostonly.parse_version(VERSION)):
        return
    try:
        ranges, _ = hostonly.allowed_ranges(place.vbox_etc / "networks.conf")
        address = ipaddress.ip_address(ip)
    except (hostonly.HostOnlyError, ValueError) as exc:
        raise Fail(str(exc), "E_INVALIDARG") from None
    if not any(address in r for r in ranges):
        raise Fail("Code E_ACCESSDENIED (0x80070005) - Access denied (extended info not "
                   "available)", context='Context: "EnableStaticIPConfig(Bstr(pszIp).raw(), '
                   'Bstr(pszNetmask).raw())" at line 242 of file VBoxManageHostonly.cpp')


def _readdress(place: Place, hif: HostOnlyIf) -> None:
    """An address change of an interface whose bridge already exists (VMs running)."""
    from pytest_hacluster import netns

    if netns.exists(place.host_netns) and hif.ip:
        netns.ip("addr", "flush", "dev", hif.name, netns=place.host_netns, check=False)
        netns.ip("addr", "add", f"{hif.ip}/{hif.netmask}", "dev", hif.name,
                 netns=place.host_netns, check=False)


def _drop_bridge(place: Place, name: str) -> None:
    from pytest_hacluster import netns

    if netns.exists(place.host_netns):
        netns.ip("link", "del", name, netns=place.host_netns, check=False)


def startvm(place: Place, args: list[str]) -> str:
    from pytest_hacluster.vbox import machine

    with place.registry() as reg:
        vm = _vm(reg, args[0])
        try:
            machine.start(place, reg, vm)
        except (machine.VmError, RuntimeError) as exc:
            raise Fail(str(exc), "E_FAIL") from None
    return (f'Waiting for VM "{vm.name}" to power on...\n'
            f'VM "{vm.name}" has been successfully started.\n')


def controlvm(place: Place, args: list[str]) -> str:
    from pytest_hacluster.vbox import machine

    with place.registry() as reg:
        vm = _vm(reg, args[0])
        action = args[1]
        if action in ("poweroff", "acpipowerbutton"):
            machine.stop(place, vm)
        elif action.startswith("setlinkstate") and action[12:].isdigit():
            number = action[12:]
            nic = vm.nics.setdefault(number, Nic())
            nic.cable = args[2] == "on"
            machine.set_cable(place, vm, number, nic.cable)
        else:
            raise Fail(f"controlvm {action} is not supported by the stand-in", "E_NOTIMPL")
    return ""


def unregistervm(place: Place, args: list[str]) -> str:
    import shutil

    from pytest_hacluster.vbox import machine

    with place.registry() as reg:
        vm = _vm(reg, args[0])
        machine.stop(place, vm)
        del reg.vms[vm.uuid]
    if "--delete" in args:
        shutil.rmtree(place.vms_dir / vm.short, ignore_errors=True)
    return ""


def version(place: Place, args: list[str]) -> str:
    return VERSION + "\n"


COMMANDS: dict[str, Callable[[Place, list[str]], str]] = {
    "--version": version, "-v": version, "list": list_, "showvminfo": showvminfo,
    "guestproperty": guestproperty, "getextradata": getextradata, "import": import_,
    "modifyvm": modifyvm, "sharedfolder": sharedfolder, "setextradata": setextradata,
    "hostonlyif": hostonlyif, "startvm": startvm, "controlvm": controlvm,
    "unregistervm": unregistervm,
}


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[0] != "--prefix":
        print("usage: python -m pytest_hacluster.vbox.manage --prefix PREFIX ARGS...",
              file=sys.stderr)
        return 2
    place, args = Place(argv[1]), argv[2:]
    start = time.monotonic()
    handler = COMMANDS.get(args[0] if args else "")
    status, out = 0, ""
    try:
        out = handler(place, args[1:]) if handler else ""
    except Fail as exc:
        print(f"VBoxManage: error: {exc}", file=sys.stderr)
        status = 1
    with open(place.log, "a") as log:
        known = "" if handler else " (unknown: answered empty)"
        log.write(f"{time.strftime('%H:%M:%S')} {time.monotonic() - start:5.2f}s exit {status} "
                  f"{' '.join(args)}{known}\n")
    sys.stdout.write(out)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
