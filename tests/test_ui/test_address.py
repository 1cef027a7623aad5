"""The address a student's phone reaches: this machine's network address in place of localhost."""
import pytest

from ui.address import for_the_class, is_loopback, lan_address


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.0.1.1", "::1", "[::1]", "LOCALHOST"])
def test_loopback_hosts(host):
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["192.168.1.20", "ffn.example.org", "10.0.0.5", "", None])
def test_other_hosts(host):
    assert not is_loopback(host)


def test_a_private_address_on_a_physical_interface_comes_first():
    interfaces = {"lo": (True, ["127.0.0.1"]), "docker0": (True, ["172.17.0.1"]),
                  "eth1": (True, ["203.0.113.9"]), "wlan0": (True, ["192.168.1.20"]),
                  "eth2": (False, ["10.1.1.1"]), "eth3": (True, ["169.254.3.3"])}
    assert lan_address(interfaces) == "192.168.1.20"
    del interfaces["wlan0"]
    assert lan_address(interfaces) == "203.0.113.9"  # any address on a physical interface beats a bridge
    del interfaces["eth1"]
    assert lan_address(interfaces) == "172.17.0.1"
    assert lan_address({"lo": (True, ["127.0.0.1"]), "eth0": (False, ["10.0.0.2"])}) is None


def test_this_machine_is_read_without_error():
    address = lan_address()
    assert address is None or not is_loopback(address)


def test_a_local_address_becomes_the_network_one_with_its_port_and_path():
    assert for_the_class("http://localhost:8501/app?x=1", "", 8501, "192.168.1.20") == (
        "http://192.168.1.20:8501/app?x=1", "network")
    assert for_the_class("http://0.0.0.0:8501/", None, 8501, "10.0.0.2") == (
        "http://10.0.0.2:8501/", "network")
    assert for_the_class("http://127.0.0.1/", "0.0.0.0", 80, "10.0.0.2") == ("http://10.0.0.2/", "network")


def test_an_address_on_the_network_is_kept():
    assert for_the_class("https://ffn.example.org/", "", 8501, "10.0.0.2") == (
        "https://ffn.example.org/", None)
    assert for_the_class("http://192.168.1.20:8501/", "", 8501, "10.0.0.2")[1] is None


def test_a_server_that_answers_this_machine_only_keeps_its_link_and_says_so():
    assert for_the_class("http://localhost:8501/", "127.0.0.1", 8501, "192.168.1.20") == (
        "http://localhost:8501/", "only_here")
    # behind a balancer on another port (deploy/cluster.py: replicas on 127.0.0.1, HAProxy on the
    # network): the balancer's port, at the network address
    assert for_the_class("http://localhost:8500/", "127.0.0.1", 8601, "192.168.1.20") == (
        "http://192.168.1.20:8500/", "network")


def test_no_network_address_keeps_the_link_and_says_so():
    assert for_the_class("http://localhost:8501/", "", 8501, None) == ("http://localhost:8501/", "no_network")


def test_interfaces_that_cannot_be_read_give_no_address(monkeypatch):
    import psutil

    def broken():
        raise PermissionError("no /proc/net")

    monkeypatch.setattr(psutil, "net_if_stats", broken)
    assert lan_address() is None
