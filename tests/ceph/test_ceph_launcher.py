"""The Ceph RGW launcher (``tests/_ceph.py``): a second instance runs beside the session's, and
``stop()`` leaves no process, socket or file behind."""

from __future__ import annotations

import os
import socket

from tests._ceph import CephRGW


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is dead too; it has been reaped once wait() returned, so it is gone.
    return True


async def test_second_instance_starts_and_stop_leaves_nothing(ceph, s3_request) -> None:
    other = CephRGW(access_key="AIOS3CEPHTESTKEY0002", secret_key="another-secret")
    other.start()
    try:
        assert other.running
        assert other.endpoint_url != ceph.endpoint_url
        assert set(other.ports.values()).isdisjoint(ceph.ports.values())
        assert other.version and "ceph version" in other.version
        # its own user: the session server's key is unknown there
        assert (await s3_request(other, "GET", "/")).status == 200
        assert (await s3_request(ceph, "GET", "/", access_key=other.access_key)).status == 403
        pids = other.pids
        temp_dir = other.temp_dir
        assert set(pids) == {"mon", "osd", "rgw"}
        assert temp_dir is not None and (temp_dir / "ceph.conf").is_file()
    finally:
        other.stop()
    assert not any(_alive(pid) for pid in pids.values())
    assert not temp_dir.exists()
    assert not other.running
    other.stop()  # idempotent
    # the session's server is untouched
    assert ceph.running
    assert (await s3_request(ceph, "GET", "/")).status == 200


def test_a_port_taken_before_the_gateway_binds_it_is_retried(monkeypatch) -> None:
    """radosgw aborts when its port is taken; the launcher starts again on new ports."""
    import tests._ceph as launcher

    real_free_ports = launcher._free_ports
    held: list[socket.socket] = []

    def free_ports_then_steal_the_gateway_port(count: int, **kwargs: int) -> list[int]:
        ports = real_free_ports(count, **kwargs)
        if not held:  # first attempt only: someone else binds the gateway's port
            thief = socket.socket()
            thief.bind(("127.0.0.1", ports[1]))
            thief.listen()
            held.append(thief)
        return ports

    monkeypatch.setattr(launcher, "_free_ports", free_ports_then_steal_the_gateway_port)
    server = CephRGW()
    try:
        server.start()
        assert server.running
        assert server.ports["rgw"] != held[0].getsockname()[1]
    finally:
        server.stop()
        for sock in held:
            sock.close()
    assert server.temp_dir is None
