"""Choose a limited set of indicators: an exact integer programme (PuLP + CBC) with a greedy
fallback.

Two questions:
- *smallest set*: the fewest items such that every objective in the links is linked to at
  least ``min_cover`` chosen items;
- *best with at most K*: at most ``max_size`` items maximising the total covered weight, where
  an objective's covered weight is the sum of its ``min_cover`` best link weights among the
  chosen items (with min_cover 1: its best link).

Both honour locks (in / out) and a maximum per framework. Ties go to the higher total link
weight, then to more Tier I items (solved lexicographically, one stage after another).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import tempfile
import warnings

import pandas as pd
import pulp

# PuLP 3.3 announces its 4.0 API on every variable; the pin in pyproject keeps us on 3.x.

from indicators_lab.core.errors import UserError
from indicators_lab.core.i18n import _, ngettext

EPS = 1e-6


@dataclass
class Request:
    min_cover: int = 1
    max_size: int | None = None
    lock_in: set = field(default_factory=set)
    lock_out: set = field(default_factory=set)
    max_per_framework: int | None = None
    solver: str = "cbc"  # "cbc", "highs" or "greedy"
    time_limit: float = 60.0
    # Every objective the set is judged on (the app: all 23 GCM objectives). None: those in the
    # links (a links file). An objective here with no usable link counts as not covered.
    objectives: tuple[int, ...] | None = None

    # Each chosen item needs at least this data coverage (items' ``data_coverage``, a share of
    # the 193 Member States); 0 = no minimum. Items below it may not be chosen.
    min_data_coverage: float = 0.0
    # Break ties towards items with more data coverage (after link weight, before Tier I).
    data_tiebreak: bool = True


@dataclass
class Result:
    chosen: list
    method: str
    covered_weight: float
    explanation: pd.DataFrame
    objectives: list[int]
    # Objectives no chosen item covers at least ``min_cover`` times -> why (plain words).
    uncovered: dict[int, str] = field(default_factory=dict)

    @property
    def covered(self) -> int:
        return len(self.objectives) - len(self.uncovered)


class Infeasible(UserError):
    """No set meets the request; the message names the objectives at fault and why."""

    def __init__(self, message: str, objectives: list[int]):
        super().__init__(message)
        self.objectives = objectives


# --------------------------------------------------------------------------- input


def prepare(links: pd.DataFrame, items: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Normalise links (key, objective, weight) and items (key, framework, tier_1)."""
    for col in ("key", "objective", "weight"):
        if col not in links:
            raise UserError(f"The links need a '{col}' column.")
    lk = links[["key", "objective", "weight"]].copy()
    lk["weight"] = lk["weight"].astype(float)
    lk["objective"] = lk["objective"].astype(int)
    # One link per item and objective: keep its best weight.
    lk = lk.groupby(["key", "objective"], as_index=False, sort=False)["weight"].max()
    keys = list(dict.fromkeys(lk["key"]))
    info = pd.DataFrame({"key": keys})
    if items is not None and len(items):
        info = info.merge(items, on="key", how="left")
    if "framework" not in info:
        info["framework"] = ""
    if "tier" not in info:
        info["tier"] = ""
    info["framework"] = info["framework"].fillna("")
    info["tier_1"] = info["tier"].fillna("").astype(str).str.strip().str.upper().isin(["TIER I", "I", "1"])
    info["data_coverage"] = (info["data_coverage"].fillna(0.0).astype(float) if "data_coverage" in info
                             else 0.0)
    return lk, info[["key", "framework", "tier_1", "data_coverage"]]


def _data_filter(info: pd.DataFrame, req: Request) -> Request:
    """The request with the items below the minimum data coverage locked out."""
    if req.min_data_coverage <= 0:
        return req
    low = set(info.loc[info["data_coverage"] < req.min_data_coverage - EPS, "key"])
    kept_in = sorted(map(str, low & set(req.lock_in)))
    if kept_in:
        raise UserError(f"Locked-in items have less data coverage than the minimum of "
                        f"{req.min_data_coverage:.0%}: " + ", ".join(kept_in) + ". Unlock them or lower the minimum.")
    from dataclasses import replace

    return replace(req, lock_out=set(req.lock_out) | low)


def universe(lk: pd.DataFrame, req: Request) -> list[int]:
    """The objectives a set is judged on: the request's, else those in the links."""
    if req.objectives is not None:
        return sorted({int(o) for o in req.objectives})
    return sorted(int(o) for o in lk["objective"].unique())


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def no_candidate(lk: pd.DataFrame, req: Request) -> dict[int, str]:
    """Objectives of the universe that no choosable item links to, with the reason."""
    out = {}
    for o in universe(lk, req):
        keys = set(lk.loc[lk["objective"] == o, "key"])
        if not keys:
            out[o] = _("no linked indicator")
        elif keys <= set(req.lock_out):
            out[o] = ngettext("its linked indicator is locked out", "all {n} linked indicators are locked out",
                              len(keys)).format(n=len(keys))
    return out


def _available(lk: pd.DataFrame, info: pd.DataFrame, req: Request) -> pd.DataFrame:
    """Items that may be chosen (not locked out)."""
    return info[~info["key"].isin(req.lock_out)]


def check_feasible(lk: pd.DataFrame, info: pd.DataFrame, req: Request) -> None:
    """Raise Infeasible naming each objective that cannot reach ``min_cover`` on its own."""
    unknown = sorted(map(str, (set(req.lock_in) | set(req.lock_out)) - set(info["key"])))
    if unknown:
        raise UserError("Locked items not among the candidates: " + ", ".join(unknown) + ".")
    both = set(req.lock_in) & set(req.lock_out)
    if both:
        raise UserError("Items locked both in and out: " + ", ".join(sorted(map(str, both))) + ".")
    if req.max_size is not None and len(req.lock_in) > req.max_size:
        raise Infeasible(_("{n} items are locked in but at most {max} may be chosen.").format(
            n=len(req.lock_in), max=req.max_size), [])
    if req.max_per_framework is not None:
        fw_locked = info[info["key"].isin(req.lock_in)].groupby("framework").size()
        over = fw_locked[fw_locked > req.max_per_framework]
        if len(over):
            unnamed = _("no framework")
            raise Infeasible(_("More items are locked in than the per-framework maximum allows: {frameworks}.").format(
                frameworks=", ".join(f"{f or unnamed} ({n})" for f, n in over.items())), [])
    if req.max_size is not None:
        return  # best-coverage mode: any objective may stay short
    avail = set(_available(lk, info, req)["key"])
    fw = dict(zip(info["key"], info["framework"]))
    problems, bad = [], []
    unlinked = [o for o in universe(lk, req) if not (lk["objective"] == o).any()]
    if unlinked:
        problems.append(ngettext("objective {numbers} (no linked indicator)", "objectives {numbers} (no linked indicator)",
                                 len(unlinked)).format(numbers=", ".join(map(str, unlinked))))
        bad.extend(unlinked)
    for o in universe(lk, req):
        if o in unlinked:
            continue
        keys = [k for k in lk.loc[lk["objective"] == o, "key"] if k in avail]
        if req.max_per_framework is not None:
            per_fw = pd.Series([fw[k] for k in keys]).value_counts()
            reachable = int(per_fw.clip(upper=req.max_per_framework).sum())
        else:
            reachable = len(keys)
        if reachable < req.min_cover:
            total = int((lk["objective"] == o).sum())
            why = ngettext("{n} linked item", "{n} linked items", total).format(n=total)
            if total != len(keys):
                why += ", " + _("{n} locked out").format(n=total - len(keys))
            if reachable != len(keys):
                why += ", " + _("{n} usable under the per-framework maximum").format(n=reachable)
            problems.append(_("objective {number} ({why}; needs {m})").format(number=o, why=why, m=req.min_cover))
            bad.append(int(o))
    if problems:
        n = len(universe(lk, req))
        raise Infeasible(_("{n} of the {total} objectives cannot be covered as asked: {problems}.").format(
            n=len(bad), total=n, problems="; ".join(problems)), sorted(bad))


# --------------------------------------------------------------------------- exact


def _solver(req: Request, tmp_dir: str):
    if req.solver == "highs":
        return pulp.HiGHS(msg=False, timeLimit=req.time_limit)
    with warnings.catch_warnings():
        # PuLP 3 announces PULP_CBC_CMD's removal in 4.0; pyproject keeps PuLP below 4.
        warnings.simplefilter("ignore", DeprecationWarning)
        solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=req.time_limit)
    solver.tmpDir = tmp_dir  # CBC's scratch files go to a folder removed after the solve
    return solver


def _solve(prob: pulp.LpProblem, req: Request) -> None:
    with tempfile.TemporaryDirectory(prefix="ilab-solve-") as tmp_dir:
        prob.solve(_solver(req, tmp_dir))
    status = pulp.LpStatus[prob.status]
    if status != "Optimal":
        raise _NotOptimal(status)


class _NotOptimal(Exception):
    pass


def _model(lk, info, req, sense):
    prob = pulp.LpProblem("indicator_set", sense)
    keys = list(info["key"])
    idx = {k: i for i, k in enumerate(keys)}
    x = [prob.add_variable(f"x{i}", cat="Binary") for i in range(len(keys))]
    for k in req.lock_in:
        prob += x[idx[k]] == 1
    for k in req.lock_out:
        prob += x[idx[k]] == 0
    if req.max_per_framework is not None:
        for _name, group in info.groupby("framework"):
            prob += pulp.lpSum(x[idx[k]] for k in group["key"]) <= req.max_per_framework
    if req.max_size is not None:
        prob += pulp.lpSum(x) <= req.max_size
    return prob, x, idx


def _lexicographic(prob: pulp.LpProblem, stages: list[tuple[int, object]], req: Request) -> None:
    """Optimise each (sense, expression) in turn, keeping every earlier optimum as a constraint."""
    for n, (sense, expr) in enumerate(stages):
        prob.sense = sense
        prob.setObjective(expr)
        _solve(prob, req)
        best = pulp.value(expr) or 0.0
        if n < len(stages) - 1:
            prob += (expr <= best + EPS) if sense == pulp.LpMinimize else (expr >= best - EPS)


def _tie_breaks(lk, info, x, idx, req: Request | None = None) -> list[tuple[int, object]]:
    """Higher total link weight, then (if asked and known) more data coverage, then more Tier I items."""
    total_w = lk.groupby("key")["weight"].sum()
    tier = dict(zip(info["key"], info["tier_1"]))
    stages = [(pulp.LpMaximize, pulp.lpSum(float(total_w.get(k, 0)) * x[i] for k, i in idx.items()))]
    data = dict(zip(info["key"], info["data_coverage"]))
    if (req is None or req.data_tiebreak) and any(v > 0 for v in data.values()):
        stages.append((pulp.LpMaximize, pulp.lpSum(round(float(data[k]), 4) * x[i] for k, i in idx.items())))
    stages.append((pulp.LpMaximize, pulp.lpSum(int(tier[k]) * x[i] for k, i in idx.items())))
    return stages


def _exact_min_size(lk, info, req) -> list:
    prob, x, idx = _model(lk, info, req, pulp.LpMinimize)
    for _name, group in lk.groupby("objective"):
        prob += pulp.lpSum(x[idx[k]] for k in group["key"]) >= req.min_cover
    _lexicographic(prob, [(pulp.LpMinimize, pulp.lpSum(x)), *_tie_breaks(lk, info, x, idx, req)], req)
    return [k for k, i in idx.items() if x[i].value() > 0.5]


def _exact_max_coverage(lk, info, req) -> list:
    lk = lk.reset_index(drop=True)
    prob, x, idx = _model(lk, info, req, pulp.LpMaximize)
    z = [prob.add_variable(f"z{n}", lowBound=0, upBound=1) for n in range(len(lk))]
    for n, key in enumerate(lk["key"]):
        prob += z[n] <= x[idx[key]]
    for _name, group in lk.groupby("objective"):
        prob += pulp.lpSum(z[n] for n in group.index) <= req.min_cover
    covered = pulp.lpSum(float(w) * z[n] for n, w in enumerate(lk["weight"]))
    stages = [(pulp.LpMaximize, covered), (pulp.LpMinimize, pulp.lpSum(x)),
              *_tie_breaks(lk, info, x, idx, req)]
    _lexicographic(prob, stages, req)
    return [k for k, i in idx.items() if x[i].value() > 0.5]


def _shortfall(lk, info, req) -> list[int]:
    """Objectives that fall short in the best possible set (min total shortfall)."""
    prob, x, idx = _model(lk, info, req, pulp.LpMinimize)
    slack = {}
    for o, group in lk.groupby("objective"):
        slack[o] = prob.add_variable(f"s{o}", lowBound=0)
        prob += pulp.lpSum(x[idx[k]] for k in group["key"]) + slack[o] >= req.min_cover
    prob += pulp.lpSum(slack.values())
    try:
        _solve(prob, req)
    except _NotOptimal:
        pass
    return sorted(int(o) for o, s in slack.items() if (s.value() or 0) > EPS)


# --------------------------------------------------------------------------- greedy


def greedy(lk: pd.DataFrame, info: pd.DataFrame, req: Request) -> list:
    """A fast heuristic for the same questions (fallback, and to measure the exact gain)."""
    links_of = {k: dict(zip(g["objective"], g["weight"])) for k, g in lk.groupby("key")}
    tier = dict(zip(info["key"], info["tier_1"]))
    data = dict(zip(info["key"], info["data_coverage"])) if req.data_tiebreak else {}
    fw = dict(zip(info["key"], info["framework"]))
    total_w = {k: sum(v.values()) for k, v in links_of.items()}
    objectives = sorted(lk["objective"].unique())
    chosen = [k for k in info["key"] if k in req.lock_in]
    per_fw: dict[str, int] = {}
    for k in chosen:
        per_fw[fw[k]] = per_fw.get(fw[k], 0) + 1
    pool = [k for k in info["key"] if k not in req.lock_out and k not in req.lock_in]

    def covered_by(sel):
        tops = {o: [] for o in objectives}
        for k in sel:
            for o, w in links_of.get(k, {}).items():
                tops[o].append(w)
        return tops

    def gain(k, tops):
        if req.max_size is None:
            return sum(1 for o in links_of.get(k, {}) if len(tops[o]) < req.min_cover)
        g = 0.0
        for o, w in links_of.get(k, {}).items():
            ws = sorted(tops[o], reverse=True)
            if len(ws) < req.min_cover:
                g += w
            elif w > ws[req.min_cover - 1]:
                g += w - ws[req.min_cover - 1]
        return g

    while True:
        if req.max_size is not None and len(chosen) >= req.max_size:
            break
        tops = covered_by(chosen)
        if req.max_size is None and all(len(tops[o]) >= req.min_cover for o in objectives):
            break
        best, best_key = None, None
        for k in pool:
            if req.max_per_framework is not None and per_fw.get(fw[k], 0) >= req.max_per_framework:
                continue
            g = gain(k, tops)
            if g <= EPS:
                continue
            key = (g, total_w.get(k, 0), data.get(k, 0.0), tier.get(k, False))
            if best is None or key > best:
                best, best_key = key, k
        if best_key is None:
            break
        chosen.append(best_key)
        pool.remove(best_key)
        per_fw[fw[best_key]] = per_fw.get(fw[best_key], 0) + 1
    return chosen


# --------------------------------------------------------------------------- results


def covered_weight(lk: pd.DataFrame, chosen: list, min_cover: int) -> float:
    """Sum over objectives of the ``min_cover`` best link weights among the chosen items."""
    mine = lk[lk["key"].isin(chosen)]
    return float(sum(g.nlargest(min_cover).sum() for _o, g in mine.groupby("objective")["weight"]))


def explain(lk: pd.DataFrame, info: pd.DataFrame, chosen: list, min_cover: int) -> pd.DataFrame:
    """Why each chosen item is there: the objectives it covers, and those that would fall below
    ``min_cover`` without it."""
    mine = lk[lk["key"].isin(chosen)]
    count = mine.groupby("objective")["key"].nunique()
    tier = dict(zip(info["key"], info["tier_1"]))
    fw = dict(zip(info["key"], info["framework"]))
    rows = []
    for k in chosen:
        objs = sorted(mine.loc[mine["key"] == k, "objective"])
        critical = [o for o in objs if count[o] <= min_cover]
        rows.append({
            "key": k, "framework": fw.get(k, ""), "objectives": " ".join(map(str, objs)),
            "needed_for": " ".join(map(str, critical)),
            "weight": float(mine.loc[mine["key"] == k, "weight"].sum()), "tier_1": bool(tier.get(k)),
        })
    return pd.DataFrame(rows, columns=["key", "framework", "objectives", "needed_for", "weight", "tier_1"])


def optimise(links: pd.DataFrame, items: pd.DataFrame | None = None, req: Request | None = None) -> Result:
    """Solve the request exactly (greedy only if asked, or if the solver fails)."""
    req = req or Request()
    if req.min_cover < 1:
        raise UserError("The minimum cover must be at least 1.")
    if req.max_size is not None and req.max_size < 1:
        raise UserError("The maximum size must be at least 1.")
    lk, info = prepare(links, items)
    if lk.empty:
        raise UserError("There are no links to choose from: accept some links first.")
    req = _data_filter(info, req)
    check_feasible(lk, info, req)
    method = "greedy" if req.solver == "greedy" else f"exact ({req.solver.upper()})"
    if req.solver == "greedy":
        chosen = greedy(lk, info, req)
    else:
        try:
            chosen = (_exact_max_coverage if req.max_size is not None else _exact_min_size)(lk, info, req)
        except _NotOptimal as exc:
            if str(exc) == "Infeasible":
                bad = _shortfall(lk, info, req)
                raise Infeasible(_("No set covers every objective together under these limits (max {max} per "
                                   "framework); objectives left short: {numbers}.").format(
                    max=req.max_per_framework, numbers=", ".join(map(str, bad))), bad) from None
            chosen, method = greedy(lk, info, req), f"greedy (solver: {exc})"
    if req.max_size is None:
        short = [o for o in sorted(lk["objective"].unique())
                 if lk[(lk["objective"] == o) & lk["key"].isin(chosen)]["key"].nunique() < req.min_cover]
        if short:
            raise Infeasible(_("No set was found covering objectives {numbers}.").format(
                numbers=", ".join(map(str, short))), short)
    order = {k: i for i, k in enumerate(info["key"])}
    chosen = sorted(chosen, key=order.get)
    return Result(chosen, method, covered_weight(lk, chosen, req.min_cover),
                  explain(lk, info, chosen, req.min_cover), universe(lk, req), uncovered(lk, chosen, req))


def uncovered(lk: pd.DataFrame, chosen: list, req: Request) -> dict[int, str]:
    """Objectives of the universe that ``chosen`` covers fewer than ``min_cover`` times, and why."""
    reasons = no_candidate(lk, req)
    counts = lk[lk["key"].isin(chosen)].groupby("objective")["key"].nunique()
    out = {}
    for o in universe(lk, req):
        n = int(counts.get(o, 0))
        if n >= req.min_cover:
            continue
        if o in reasons:
            out[o] = reasons[o]
        elif n == 0:
            out[o] = _("none of its linked indicators fits within the limits")
        else:
            out[o] = ngettext("covered {n} time, needs {m}", "covered {n} times, needs {m}", n).format(
                n=n, m=req.min_cover)
    return out


def pareto(links: pd.DataFrame, items: pd.DataFrame | None = None, req: Request | None = None,
           max_points: int = 40) -> pd.DataFrame:
    """Set size against coverage: for K = 1… the best covered weight and objectives covered,
    until every objective that can be covered is."""
    req = req or Request()
    lk, info = prepare(links, items)
    n_obj = len(universe(lk, req))
    best_possible = covered_weight(lk[~lk["key"].isin(req.lock_out)], list(info["key"]), req.min_cover)
    rows = []
    start = max(1, len(req.lock_in))
    stop = start + max_points if req.max_size is None else min(req.max_size, start + max_points - 1) + 1
    for k in range(start, stop):
        r = optimise(links, items, Request(min_cover=req.min_cover, max_size=k, lock_in=req.lock_in,
                                           lock_out=req.lock_out, max_per_framework=req.max_per_framework,
                                           solver=req.solver, objectives=req.objectives,
                                           min_data_coverage=req.min_data_coverage, data_tiebreak=req.data_tiebreak))
        if rows and len(r.chosen) <= rows[-1]["size"]:
            break  # no better set with more indicators
        rows.append({"size": len(r.chosen), "covered_weight": round(r.covered_weight, 4),
                     "objectives_covered": r.covered, "objectives": n_obj, "chosen": r.chosen})
        if r.covered_weight >= best_possible - EPS or len(r.chosen) < k:
            break
    return pd.DataFrame(rows, columns=["size", "covered_weight", "objectives_covered", "objectives", "chosen"])


def read_links_file(data: bytes, filename: str, *, max_bytes: int) -> pd.DataFrame:
    """Links from a CSV/XLSX with columns item_code, objective, weight and optional tier /
    framework; refused whole, naming the row, on any bad value."""
    from indicators_lab.catalogue.importing import column_index, parse_objective, read_table

    headers, rows = read_table(data, filename, max_bytes=max_bytes)
    cols = column_index(headers, {"item_code", "objective", "weight", "tier", "framework"})
    missing = [c for c in ("item_code", "objective", "weight") if c not in cols]
    if missing:
        raise UserError("The links file needs the columns item_code, objective, weight (and may "
                        f"have tier, framework); missing: {', '.join(missing)}.")
    records = []
    for n, row in enumerate(rows, start=2):
        code = row[cols["item_code"]].strip()
        if not code:
            raise UserError(f"Row {n}: the item_code is empty.")
        objective = parse_objective(row[cols["objective"]], n)
        if not 1 <= objective <= 23:
            raise UserError(f"Row {n}: objective {objective} does not exist; GCM objectives are 1 to 23.")
        try:
            weight = float(row[cols["weight"]])
        except ValueError:
            raise UserError(f"Row {n}: the weight '{row[cols['weight']]}' is not a number.") from None
        if weight != weight or weight in (float("inf"), float("-inf")):  # nan, inf, 1e999
            raise UserError(f"Row {n}: the weight '{row[cols['weight']].strip()}' is not a finite number.")
        if weight < 0:
            raise UserError(f"Row {n}: the weight must be zero or more.")
        records.append({
            "key": code, "objective": objective, "weight": weight,
            "tier": row[cols["tier"]].strip() if "tier" in cols else "",
            "framework": row[cols["framework"]].strip() if "framework" in cols else "",
        })
    return pd.DataFrame(records)
