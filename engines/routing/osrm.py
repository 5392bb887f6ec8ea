"""An OSRM-compatible ``/table`` client: road distances and durations from a routing server."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import httpx
import numpy as np

from engines.routing.model import Point
from engines.routing.travel import TravelMatrices


class OsrmError(RuntimeError):
    """The table service failed or answered something we cannot use."""


@dataclass(frozen=True)
class OsrmTable:
    """Calls ``{base_url}/table/v1/{profile}/{lon,lat;...}?annotations=distance,duration``.

    The URL comes from the caller (settings), never from the environment here. ``client`` lets
    tests inject an ``httpx.Client`` with a mock transport.
    """

    base_url: str
    profile: str = "driving"
    timeout_s: float = 30.0
    client: httpx.Client | None = None

    def matrices(self, points: Sequence[Point]) -> TravelMatrices:
        coordinates = ";".join(f"{p.lon:.6f},{p.lat:.6f}" for p in points)
        url = f"{self.base_url.rstrip('/')}/table/v1/{self.profile}/{coordinates}"
        params = {"annotations": "distance,duration"}
        try:
            if self.client is not None:
                response = self.client.get(url, params=params, timeout=self.timeout_s)
            else:
                response = httpx.get(url, params=params, timeout=self.timeout_s)
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise OsrmError(f"OSRM table request failed: {exc}") from exc
        if body.get("code") != "Ok":
            raise OsrmError(f"OSRM table answered {body.get('code')}: {body.get('message', '')}")
        size = len(points)
        try:
            metres = np.array(body["distances"], dtype=np.float64)
            seconds = np.array(body["durations"], dtype=np.float64)
        except (KeyError, TypeError, ValueError) as exc:
            raise OsrmError("OSRM table answer lacks distances or durations") from exc
        if metres.shape != (size, size) or seconds.shape != (size, size):
            raise OsrmError(f"OSRM table answer is not {size}x{size}")
        if np.isnan(metres).any() or np.isnan(seconds).any():
            raise OsrmError("OSRM found no road between some points (null in the table)")
        return TravelMatrices(distance=metres / 1000.0, duration=seconds / 60.0)
