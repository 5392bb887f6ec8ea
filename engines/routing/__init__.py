"""Routing engine: build a problem, solve it with PyVRP (or OR-Tools), re-check the plan ourselves.

Pure computation: no database, no HTTP except the optional OSRM table client. Solver types never
leave this package; callers see ``Problem``, ``RoutePlan`` and the providers below.
"""

from engines.routing.builder import ProblemBuilder
from engines.routing.checker import check_plan, evaluate
from engines.routing.errors import InstanceFormatError, ProblemError
from engines.routing.model import Point, Problem, Scale
from engines.routing.osrm import OsrmError, OsrmTable
from engines.routing.plan import PlannedRoute, RoutePlan, Stop, Violation, ViolationKind
from engines.routing.readers import Instance, read_instance, read_solomon, read_vrplib
from engines.routing.solve import BACKENDS, Backend, solve
from engines.routing.travel import (
    City,
    EuclideanMatrix,
    HaversineMatrix,
    MatrixProvider,
    SpeedProfile,
    TravelMatrices,
)

__all__ = [
    "BACKENDS",
    "Backend",
    "City",
    "EuclideanMatrix",
    "HaversineMatrix",
    "Instance",
    "InstanceFormatError",
    "MatrixProvider",
    "OsrmError",
    "OsrmTable",
    "PlannedRoute",
    "Point",
    "Problem",
    "ProblemBuilder",
    "ProblemError",
    "RoutePlan",
    "Scale",
    "SpeedProfile",
    "Stop",
    "TravelMatrices",
    "Violation",
    "ViolationKind",
    "check_plan",
    "evaluate",
    "read_instance",
    "read_solomon",
    "read_vrplib",
    "solve",
]
