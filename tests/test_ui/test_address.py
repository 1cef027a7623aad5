"""The address a student's phone reaches: this machine's network address in place of localhost."""
import pytest

from ui.address import is_loopback, lan_address, reachable


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


def test_only_a_loopback_host_is_replaced_and_the_port_and_path_stay():
    assert reachable("http://localhost:8501/app?x=1", "192.168.1.20") == (
        "http://192.168.1.20:8501/app?x=1", True)
    assert reachable("http://127.0.0.1/", "10.0.0.2") == ("http://10.0.0.2/", True)
    assert reachable("https://ffn.example.org/", "10.0.0.2") == ("https://ffn.example.org/", False)
    assert reachable("http://localhost:8501/", None) == ("http://localhost:8501/", False)
