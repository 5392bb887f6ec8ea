"""Demand forecasting: long unique_id/ds/y frames in, mean and quantile forecasts out."""

from engines.forecasting.engine import ForecastResult, forecast
from engines.forecasting.models import ForecastConfig
from engines.forecasting.validation import ForecastInputError, Freq, validate_frame

__all__ = [
    "ForecastConfig",
    "ForecastInputError",
    "ForecastResult",
    "Freq",
    "forecast",
    "validate_frame",
]
