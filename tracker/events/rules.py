"""The merge settings ([merge] of models/settings.toml, with a TRACKER_SETTINGS file over it), read once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..settings import SettingsError, tunables


@dataclass(frozen=True)
class Rules:
    windows: dict[str, tuple[int, int]]  # class -> (close_days, far_days)
    follow_days: int
    same_lift_days: int
    threshold: float
    actor_bonus: float
    weights: dict[str, float]
    default_confidence: float
    cap: float

    def window(self, klass: str) -> tuple[int, int]:
        return self.windows.get(klass, (14, 90))


@lru_cache(maxsize=1)
def rules() -> Rules:
    """Merge windows, thresholds and weights; a clear error names a bad value."""
    data = tunables()["merge"]
    try:
        windows = {k: (int(v["close_days"]), int(v["far_days"])) for k, v in data["windows"].items()}
        conf = data["confidence"]
        return Rules(
            windows=windows,
            follow_days=int(data["threat"]["follow_days"]),
            same_lift_days=int(data["lift"]["same_lift_days"]),
            threshold=float(data["similarity"]["threshold"]),
            actor_bonus=float(data["similarity"]["actor_bonus"]),
            weights={k: float(conf[k]) for k in ("regulator", "court", "ngo", "press", "other")},
            default_confidence=float(conf["default_mention_confidence"]),
            cap=float(conf["cap"]),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise SettingsError(f"bad merge settings ({exc!r}); see [merge] in models/settings.toml") from exc
