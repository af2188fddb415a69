"""Generated trains and candidate boxes, for tests and benchmarks; same arguments, same problem.

Wagon types (typical European intermodal wagons; lengths, tares and payloads
are round figures of the kind operators publish for line category D4 (22.5 t
per axle), **assumptions** rather than one maker's data sheet):

============  ================  ==========  ======  ========  =============================
type          platforms         over buff.  tare    payload   patterns per platform
============  ================  ==========  ======  ========  =============================
Sgns 60'      one 60'           19.74 m     20.0 t  69.0 t    20+20+20 (60 t), 20+40, 40+20, 40, 45
Sgnss 60'     one 60'           19.64 m     19.0 t  71.0 t    same as Sgns
Sggrss 80'    two 40' (artic.)  26.39 m     27.0 t  104.0 t   20+20, 40 (55 t each)
Sggmrss 90'   two 45' (artic.)  29.59 m     28.5 t  106.5 t   20+20, 40, 45 (56 t each)
Lgns 40'      one 40'           13.86 m     11.5 t  28.5 t    20+20, 40
============  ================  ==========  ======  ========  =============================

A 60' platform with a single 20' in its middle third is not offered (the
patterns above put 20' boxes at the ends); three 20' boxes on a 60' platform
are limited to 60 t together (an assumption in the spirit of the load tables
painted on the wagons). Wagons are drawn 35 % Sgns, 15 % Sgnss, 30 %
Sggrss, 10 % Sggmrss, 10 % Lgns; every platform starts set to a random pattern.

Boxes: 40 % 20', 52 % 40', 8 % 45'; gross mass triangular 2-30 t (mode 12 t for
20', 14 t for 40'/45'); 15 % must-go, the others priority 1-3; 6 % carry
dangerous goods (classes 3, 8, 9, 2.1, 6.1, 4.1, 5.1); boxes stand in four
yard blocks of 40 bays (6.5 m pitch) laid along the track.
"""

from __future__ import annotations

import random

from opentos.errors import InvalidValue
from opentos.planning.rail.problem import (
    LoadingPattern,
    PlatformType,
    RailBox,
    RailLoadProblem,
    Wagon,
    WagonType,
    YardBlock,
)

_P60 = PlatformType(
    60,
    69_000,
    (
        LoadingPattern((20, 20, 20), max_payload_kg=60_000),
        LoadingPattern((20, 40)),
        LoadingPattern((40, 20)),
        LoadingPattern((40,)),
        LoadingPattern((45,)),
    ),
)

WAGON_TYPES: dict[str, WagonType] = {
    "Sgns": WagonType("Sgns 60'", 19.74, 20_000, 69_000, (_P60,)),
    "Sgnss": WagonType(
        "Sgnss 60'",
        19.64,
        19_000,
        71_000,
        (PlatformType(60, 71_000, _P60.patterns),),
    ),
    "Sggrss": WagonType(
        "Sggrss 80'",
        26.39,
        27_000,
        104_000,
        (PlatformType(40, 55_000, (LoadingPattern((20, 20)), LoadingPattern((40,)))),) * 2,
    ),
    "Sggmrss": WagonType(
        "Sggmrss 90'",
        29.59,
        28_500,
        106_500,
        (
            PlatformType(
                45,
                56_000,
                (LoadingPattern((20, 20)), LoadingPattern((40,)), LoadingPattern((45,))),
            ),
        )
        * 2,
    ),
    "Lgns": WagonType(
        "Lgns 40'",
        13.86,
        11_500,
        28_500,
        (PlatformType(40, 28_500, (LoadingPattern((20, 20)), LoadingPattern((40,)))),),
    ),
}
"""The wagon types of the generator (see the module docstring for their figures)."""

_MIX = (("Sgns", 35), ("Sgnss", 15), ("Sggrss", 30), ("Sggmrss", 10), ("Lgns", 10))
_DG = ("3", "8", "9", "2.1", "6.1", "4.1", "5.1")
_BLOCKS = 4
_BAYS = 40


def generate(wagons: int, boxes: int, seed: int) -> RailLoadProblem:
    """A train of ``wagons`` wagons and ``boxes`` candidate boxes (see the module docstring).

    Raises
    ------
    InvalidValue
        Fewer than one wagon, a negative number of boxes.
    """
    if wagons < 1 or boxes < 0:
        raise InvalidValue(f"Expected wagons >= 1 and boxes >= 0, got {wagons}, {boxes}.")
    rng = random.Random(seed)
    codes = [c for c, _ in _MIX]
    shares = [s for _, s in _MIX]
    train = []
    for i in range(wagons):
        t = WAGON_TYPES[rng.choices(codes, shares)[0]]
        current = tuple(rng.randrange(len(p.patterns)) for p in t.platforms)
        train.append(Wagon(f"W{i + 1:03d}", t, current))
    length_m = sum(w.wagon_type.length_m for w in train)
    pitch = 6.5
    # The blocks spread over the train's length (they may be shorter or longer).
    step = max(length_m / _BLOCKS, _BAYS * pitch)
    blocks = tuple(YardBlock(f"R{j + 1}", round(j * step, 1), pitch) for j in range(_BLOCKS))
    out = []
    for i in range(boxes):
        length = rng.choices((20, 40, 45), (40, 52, 8))[0]
        mode = 12_000 if length == 20 else 14_000
        kg = int(rng.triangular(2_000, 30_000, mode)) // 10 * 10
        must_go = rng.random() < 0.15
        out.append(
            RailBox(
                box_id=f"B{i + 1:04d}",
                length_ft=length,
                gross_kg=kg,
                yard_block=rng.choice(blocks).name,
                yard_bay=rng.randint(1, _BAYS),
                must_go=must_go,
                priority=1 if must_go else rng.randint(1, 3),
                dg_class=rng.choice(_DG) if rng.random() < 0.06 else None,
                destination=rng.choice(("DEDUI", "DEHAM", "PLWAW", "CZPRG")),
            )
        )
    return RailLoadProblem(tuple(train), tuple(out), blocks)
