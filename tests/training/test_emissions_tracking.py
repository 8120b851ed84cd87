"""Emissions tracking: codecarbon's offline tracker, never on the network, never able to stop a training run."""

from __future__ import annotations

import socket

import pytest

from training.emissions import track_emissions


@pytest.fixture()
def no_network(monkeypatch):
    """Any connection outside loopback fails the test."""
    real_connect = socket.socket.connect

    def guarded(sock, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "::1", "localhost") and not host.startswith("/"):
            raise AssertionError(f"emissions tracking tried to reach {address}")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


def test_offline_tracker_measures_without_the_network(tmp_path, no_network):
    with track_emissions(tmp_path, stage="sft", country_iso_code="IRN") as result:
        sum(i * i for i in range(200_000))
    assert isinstance(result["emissions"], float) and result["emissions"] >= 0
    assert result["source"] == "codecarbon" and result["training_type"] == "fine-tuning"
    assert result["geographical_location"].endswith("(IRN)") and result["hardware_used"]
    assert (tmp_path / "emissions.csv").is_file()


def test_a_broken_codecarbon_never_stops_training(tmp_path, monkeypatch):
    import codecarbon

    class Broken:
        def __init__(self, *args, **kwargs):
            raise RuntimeError("no RAPL, no TDP, nothing")

    monkeypatch.setattr(codecarbon, "OfflineEmissionsTracker", Broken)
    with track_emissions(tmp_path, stage="cpt", country_iso_code="IRN") as result:
        trained = True
    assert trained and result["emissions"] is None and result["training_type"] == "pre-training"


def test_tracking_can_be_switched_off(tmp_path):
    with track_emissions(tmp_path, stage="cpt", country_iso_code="DEU", enabled=False) as result:
        pass
    assert result["emissions"] is None and result["geographical_location"] == "DEU"
    assert not (tmp_path / "emissions.csv").exists()
