#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The report of bench/nested-chain.sh: SAMPLES.tsv OUT.md -> OUT.md and OUT.png.

SAMPLES.tsv: "# key=value" lines (the machine's facts), then one sample a line:
iter k variant metric level value (see nested-chain.sh).  Re-run on a kept .tsv to
redo the report."""
import collections
import statistics
import sys

VARIANTS = ("nestrun", "nestrun-seeded", "load", "flat")
LABEL = {"nestrun": "nestrun (host engine: its own copy)", "nestrun-seeded": "nestrun (host engine seeded from the store)",
         "load": "runc + `docker load` per level", "flat": "flat: k sibling containers (runc)"}
ENGINE = ("dockerd", "containerd", "containerd-shim")
MiB = 1024 * 1024
TARGETS = {"time_s": 1.0, "speedup": 9.0, "disk_mib": 1.0, "pss_mib": 66.0}


def head(w, cols):
    """A markdown table's header row and rule."""
    w("| " + " | ".join(cols) + " |")
    w("|" + "---|" * len(cols))


def med(v):
    return statistics.median(v) if v else float("nan")


def load(path):
    """(facts, data): data[(k, variant)][iter][metric][level] = value (str)."""
    facts = {}
    data = collections.defaultdict(lambda: collections.defaultdict(lambda: collections.defaultdict(dict)))
    with open(path) as f:
        for line in f:
            if line.startswith("# "):
                key, _, val = line[2:].rstrip("\n").partition("=")
                facts[key] = val
                continue
            it, k, v, metric, level, value = line.rstrip("\n").split("\t")
            data[(int(k), v)][int(it)][metric][int(level)] = value
    return facts, data


def num(x):
    return float(x)


class Sample:
    """One chain of one iteration."""

    def __init__(self, m):
        self.m = m

    def time_s(self):
        return num(self.m["time_ms"][0]) / 1000

    def teardown_s(self):
        return num(self.m["teardown_ms"][0]) / 1000

    def pss_kb(self, level=None, names=None, kind="pss_kb"):
        t = 0
        for metric, by_level in self.m.items():
            if not metric.startswith(kind + ":"):
                continue
            name = metric.split(":", 1)[1]
            if names is not None and name not in names:
                continue
            for lvl, val in by_level.items():
                if (level is None and lvl >= 1) or lvl == level:
                    t += num(val)
        return t

    def levels(self):
        return sorted({lvl for metric, bl in self.m.items() if metric.startswith("pss_kb:") for lvl in bl})

    def disk_b(self, level=None):
        d = self.m.get("disk_b", {})
        if level is None:
            return sum(num(v) for v in d.values())
        return num(d.get(level, "nan"))

    def phase(self, name, level):
        return num(self.m.get("t_" + name, {}).get(level, "nan")) / 1000


def main():
    samples, out = sys.argv[1:3]
    facts, data = load(samples)
    kmax = max(k for k, _ in data)
    ks = list(range(1, kmax + 1))
    S = {key: [Sample(m) for _, m in sorted(its.items())] for key, its in data.items()}

    def stat(k, v, fn):
        vals = [fn(s) for s in S.get((k, v), [])]
        return med(vals), (min(vals) if vals else float("nan")), vals

    T = {(k, v): stat(k, v, Sample.time_s) for k in ks for v in VARIANTS if (k, v) in S}
    P = {(k, v): stat(k, v, lambda s: s.pss_kb() / 1024) for k in ks for v in VARIANTS if (k, v) in S}
    D = {(k, v): stat(k, v, lambda s: s.disk_b() / MiB) for k in ks for v in VARIANTS if (k, v) in S}

    def per_extra(X, k, v):
        return (X[(k, v)][0] - X[(1, v)][0]) / (k - 1) if k > 1 else float("nan")

    L = []
    w = L.append
    w(f"# Nested-chain benchmark (issue 5), {facts['date']}")
    w("")
    w("The seed paper's experiment (\"Nesting Containers for Faithful Datacenters Emulations\", Fig. 2):")
    w("a chain of k devices of one Docker-in-Docker image, D1 run by the host's engine and")
    w("D(i+1) by the engine inside D(i), against k flat containers. `bench/nested-chain.sh`")
    w(f"`-n {facts['iterations']} -k {facts['kmax']}`: {facts['iterations']} iterations, every (k, variant) once per")
    w("iteration, variant order rotated, after one untimed warm-up of each variant; median")
    w(f"and minimum; {facts['elapsed_s']} s in all.")
    w("")
    w("## Machine")
    w("")
    w(f"- {facts['cpus']} CPUs ({facts['cpu_model']}), {facts['mem']}, kernel {facts['kernel']};"
      f" data on {facts['fs']}")
    w(f"- {facts['dockerd']}; containerd {facts['containerd']}; {facts['runc']}")
    w(f"- nestrun: {facts['nestrun']}")
    w(f"- load average (1, 5, 15 min) before: {facts['load_before']}; 1 min at each iteration's start and"
      f" at the end: {facts['load_samples']}; after: {facts['load_after']}. The machine is shared with other")
    w("  work (up to 4 other developers' builds and test suites on the 2 CPUs): wall times move with it.")
    w(f"- The image: {num(facts['image_bytes']) / MiB:.0f} MiB rootfs (busybox, the host's dockerd,"
      f" containerd, shim, runc, docker CLI and their libraries; tests/nested/build-dind-image.sh);"
      f" `docker save` archive {num(facts['save_bytes']) / MiB:.0f} MiB; the nestrun store with it and"
      f" busybox {num(facts['store_bytes']) / MiB:.0f} MiB. One-time host costs, not counted per level.")
    w("")
    w("## Method")
    w("")
    w("- **Startup**: from issuing the host's `docker run -d` of D1 to the line D(k) writes, as")
    w("  its first action, into a FIFO that the bench holds open on the host (bound at `/nrb` at")
    w("  every level). Each level i < k runs dockerd (the image's flags), waits until `docker")
    w("  version` answers, [`docker load -i /img.tar`], then `docker run -d` of D(i+1) with the same")
    w("  command. Flat: the k containers one after another, each once the previous one wrote its line.")
    w("- **nestrun**: host `docker run --runtime nestrun --privileged -e NESTRUN_NESTED=1`; inside,")
    w("  the same flags (the inner engines' default runtime is the injected static nestrun). The")
    w("  host engine runs D1 from its own copy of the image (`docker import`, as docs/nested.md")
    w("  sets up a host); the inner engines run the store's files.")
    w("- **nestrun-seeded**: the same chain from a second host engine whose data-root is seeded")
    w("  from the store (`nestrun image seed-docker`, layers bound read-only): D1 runs the store's")
    w("  files too, so every level maps one copy of the image.")
    w("- **load**: `--runtime runc` and, inside, the image's runc. runc cannot run `--privileged`")
    w("  on this VM (its bounding set lacks CAP_SYS_RESOURCE: \"unable to apply caps\"), so each")
    w("  level gets `--cap-add ALL --cap-drop SYS_RESOURCE`, seccomp and /proc masks off, a cgroup")
    w("  namespace with the cgroup hierarchy bound writable, and an anonymous volume at")
    w("  /var/lib/docker (as the official DinD image declares).")
    w("- **PSS** (1 s after the line): `Pss` of /proc/PID/smaps_rollup of every process of the")
    w("  chain, by pid-namespace depth (= level). Level i holds D(i)'s processes: its command (sh),")
    w("  its dockerd and containerd, and the shim its containerd runs for D(i+1); D1's own shim is")
    w("  the host engine's (level 0, not counted).")
    w("- **Disk**: allocated bytes (`du -sxB1`) of each level's engine data-root without the next")
    w("  level's (nestrun: the nest dir under the store's nests/; load: the /var/lib/docker")
    w("  volume), plus level 0: D1's container layer and directory in the host engine's data-root.")
    w("- **Per extra level**: (value at k − value at k = 1) / (k − 1).")
    w("")
    w("What bounds these numbers, and what was fixed: bench/README.md, section nested-chain.sh.")
    w("")
    w("## Results")
    w("")
    VS = [v for v in VARIANTS if any((k, v) in S for k in ks)]
    NEST = [v for v in VS if v.startswith("nestrun")]
    CHAIN = [v for v in VS if v != "flat"]

    def cell(X, k, v, fmt):
        x = X.get((k, v))
        return "-" if x is None or x[0] != x[0] else fmt.format(*x[:2])

    w("Startup, seconds (median / min):")
    w("")
    head(w, ["k"] + VS + [f"load ÷ {v}" for v in NEST] + [f"{v} ÷ flat" for v in NEST])
    for k in ks:
        row = [cell(T, k, v, "{:.2f} / {:.2f}") for v in VS]
        row += [f"{T[(k, 'load')][0] / T[(k, v)][0]:.1f}×" for v in NEST]
        row += [f"{T[(k, v)][0] / T[(k, 'flat')][0]:.1f}×" for v in NEST]
        w(f"| {k} | " + " | ".join(row) + " |")
    w("")
    for X, what, fmt in ((D, "Disk written by the chain, MiB", "{:.2f}"), (P, "PSS of the chain's processes, MiB", "{:.1f}")):
        w(what + " (median):")
        w("")
        head(w, ["k"] + VS)
        for k in ks:
            w(f"| {k} | " + " | ".join(cell(X, k, v, fmt) for v in VS) + " |")
        w("")
    if kmax > 1:
        w(f"Per extra level (k = 1 → {kmax}):")
        w("")
        head(w, [""] + VS)
        for X, what, fmt in ((T, "startup, s", "{:.2f}"), (D, "disk, MiB", "{:.2f}"), (P, "PSS, MiB", "{:.1f}")):
            w(f"| {what} | " + " | ".join(fmt.format(per_extra(X, kmax, v)) for v in VS) + " |")
        w("")
    if kmax == 4:
        yes = lambda ok: "**met**" if ok else "**not met**"  # noqa: E731
        w("Targets at k = 4 (issue 5):")
        w("")
        head(w, ["target"] + NEST)
        rows = (
            (f"startup ≤ {TARGETS['time_s']:.1f} s", lambda v: T[(4, v)][0], "{:.2f} s", lambda x: x <= TARGETS["time_s"]),
            (f"≥ {TARGETS['speedup']:.0f}× faster than `docker load` per level", lambda v: T[(4, "load")][0] / T[(4, v)][0],
             "{:.1f}×", lambda x: x >= TARGETS["speedup"]),
            (f"disk ≤ {TARGETS['disk_mib']:.0f} MiB per extra level", lambda v: per_extra(D, 4, v), "{:.2f} MiB",
             lambda x: x <= TARGETS["disk_mib"]),
            (f"PSS ≤ {TARGETS['pss_mib']:.0f} MiB per extra level", lambda v: per_extra(P, 4, v), "{:.1f} MiB",
             lambda x: x <= TARGETS["pss_mib"]),
        )
        for label, val, fmt, good in rows:
            w(f"| {label} | " + " | ".join(f"{fmt.format(val(v))}: {yes(good(val(v)))}" for v in NEST) + " |")
        w("")

    w(f"### Per level at k = {kmax} (medians)")
    w("")
    w("PSS, MiB, by process; the file-backed part of it (shared text divides among the processes")
    w("mapping the same file); disk, MiB:")
    w("")
    head(w, ["variant", "level", "dockerd", "containerd", "shim", "other", "PSS total", "of which file", "disk"])
    for v in CHAIN:
        ss = S.get((kmax, v), [])
        for lvl in (ss[0].levels() if ss else []):
            cols = [med([s.pss_kb(lvl, (n,)) / 1024 for s in ss]) for n in ENGINE]
            tot = med([s.pss_kb(lvl) / 1024 for s in ss])
            fil = med([s.pss_kb(lvl, kind="pss_file_kb") / 1024 for s in ss])
            dk = med([s.disk_b(lvl) / MiB for s in ss])
            lab = "0 (host)" if lvl == 0 else str(lvl)
            w(f"| {v} | {lab} | " + " | ".join(f"{c:.1f}" for c in cols)
              + f" | {tot - sum(cols):.1f} | {tot:.1f} | {fil:.1f} | {dk:.2f} |")
    w("")
    w("Where the startup goes (seconds after the host's `docker run`, median; the levels' clock is")
    w("/proc/uptime, 10 ms; \"engine serves\" is dockerd's own \"API listen on\" log line):")
    w("")
    head(w, ["variant", "level", "started", "dockerd socket", "engine serves", "image loaded",
             "next `docker run -d` returned"])
    for v in CHAIN:
        ss = S.get((kmax, v), [])
        for lvl in range(1, kmax + 1):
            cols = []
            for ph in ("start", "socket", "serving", "loaded", "run"):
                x = med([s.phase(ph, lvl) for s in ss if s.phase(ph, lvl) == s.phase(ph, lvl)])
                cols.append("-" if x != x else f"{x:.2f}")
            w(f"| {v} | {lvl} | " + " | ".join(cols) + " |")
    w("")
    w("### One copy of the image at every depth?")
    w("")
    sd = facts.get("store_dockerd", "")
    w("The inode of the dockerd executable each level maps (/proc/PID/maps, first iteration;")
    w("overlayfs reports the inode of the real file below it, all on the same filesystem here);")
    w(f"the store's copy is inode {ino(sd)}:")
    w("")
    head(w, ["variant"] + [f"level {i}" for i in range(1, kmax)])
    for v in CHAIN:
        ss = S.get((kmax, v), [])
        if not ss or kmax < 2:
            continue
        exe = ss[0].m.get("exe:dockerd", {})
        row = []
        for i in range(1, kmax):
            e = exe.get(i, "-")
            row.append(str(ino(e)) + (" (the store's)" if e != "-" and ino(e) == ino(sd) else ""))
        w(f"| {v} | " + " | ".join(row) + " |")
    w("")
    # raw
    w("## Raw samples")
    w("")
    w("Startup, s; teardown (`docker rm -f -v` of the chain), s; chain PSS, MiB; disk, MiB; per iteration:")
    w("")
    head(w, ["k", "variant", "startup", "teardown", "PSS", "disk"])
    for k in ks:
        for v in [v for v in VARIANTS if (k, v) in S]:
            ss = S[(k, v)]
            w(f"| {k} | {v} | " + " ".join(f"{s.time_s():.2f}" for s in ss) + " | "
              + " ".join(f"{s.teardown_s():.2f}" for s in ss) + " | "
              + " ".join(f"{s.pss_kb() / 1024:.0f}" for s in ss) + " | "
              + " ".join(f"{s.disk_b() / MiB:.2f}" for s in ss) + " |")
    w("")
    png = out[:-3] + ".png" if out.endswith(".md") else out + ".png"
    if plot(png, ks, T, D, P, facts):
        w(f"![startup, disk and PSS against k]({png.rsplit('/', 1)[-1]})")
        w("")
    with open(out, "w") as f:
        f.write("\n".join(L))


def ino(s):
    """The inode of 'fe:00:123' (/proc/PID/maps) or '65024:123' (stat %d:%i)."""
    return s.rsplit(":", 1)[-1]


def plot(png, ks, T, D, P, facts):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(1, 3, figsize=(15, 4.6))
    style = {"nestrun": ("tab:blue", "o"), "nestrun-seeded": ("tab:purple", "D"), "load": ("tab:red", "s"),
             "flat": ("tab:green", "^")}
    for a, X, title, unit, log in ((ax[0], T, "startup", "s", True), (ax[1], D, "disk written", "MiB", True),
                                   (ax[2], P, "PSS of the chain", "MiB", False)):
        for v in [v for v in VARIANTS if (ks[0], v) in X]:
            c, mk = style[v]
            y = [X[(k, v)][0] for k in ks]
            lo = [X[(k, v)][0] - X[(k, v)][1] for k in ks]
            a.errorbar(ks, y, yerr=[lo, [0] * len(ks)], color=c, marker=mk, capsize=3, label=LABEL[v])
        a.set_xticks(ks)
        a.set_xlabel("k (devices in the chain / flat containers)")
        a.set_ylabel(unit)
        a.set_title(title + (" (log)" if log else ""))
        if log:
            a.set_yscale("log")
        a.grid(True, which="both", alpha=0.3)
    ax[0].legend(fontsize=8)
    loads = sorted(float(x) for x in facts["load_samples"].split())
    fig.suptitle(f"nested chains, median (bars down to the minimum) of {facts['iterations']} iterations,"
                 f" {facts['date']}; 1-min load average {loads[0]:.1f}-{loads[-1]:.1f}"
                 f" (median {statistics.median(loads):.1f}) on {facts['cpus']} CPUs", fontsize=9)
    fig.tight_layout()
    fig.savefig(png, dpi=100)
    return True


if __name__ == "__main__":
    main()
