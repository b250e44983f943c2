"""The merge settings from models/merge.toml, read once."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache

from ..paths import model_file


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
    path = model_file("merge.toml")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
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
    except (KeyError, ValueError, TypeError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: bad merge settings ({exc!r})") from exc
