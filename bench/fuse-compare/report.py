#!/usr/bin/env python3
"""Helpers for bench/fuse-compare.sh: pull one number out of a fio JSON file, and render the markdown table.

  report.py value FIO_JSON iops|mibs
      Prints the run's total IOPS (read + write) or MiB/s. fio runs with --group_reporting, so the numjobs
      clones are already summed into one entry.

  report.py table RESULTS_TSV STATUS_TSV JOBS_TSV TARGETS [REFERENCES]
      Prints the markdown table. After the targets' columns come ratio columns: each ThrottleFs target of this
      checkout (throttlefs, throttlefs-dev, throttlefs-uring) divided by each target in REFERENCES
      (comma-separated, default passthrough_ll,baseline), for those that are among TARGETS.

  report.py medians RESULTS_TSV JOBS_TSV TARGETS
      Prints one line per job and target that has numbers: job id, label, unit, target, median, min, max
      (tab-separated), for bench/plots/fs-bars.sh.

      RESULTS_TSV: round, job id, target, value ('' when the run failed), error (first line of fio's stderr)
      STATUS_TSV:  target, why it has no numbers (mount failed ...)
      JOBS_TSV:    job id, label, unit (iops|mibs), in table order
      TARGETS:     comma-separated target names, in column order
"""
import csv
import json
import statistics
import sys

# This checkout's ThrottleFs targets, one per kernel transport (throttlefs: auto), in column order.
OURS = ("throttlefs", "throttlefs-dev", "throttlefs-uring")
# Ratio columns, when both targets ran: ours against libfuse's passthrough_ll, and against another ThrottleFs build.
# This is table()'s default; bench/fuse-compare.sh --same-disk passes native as well.
REFERENCES = "passthrough_ll,baseline"


def fio_value(path, unit):
    with open(path) as f:
        job = json.load(f)["jobs"][0]
    if unit == "iops":
        return job["read"]["iops"] + job["write"]["iops"]
    return (job["read"]["bw_bytes"] + job["write"]["bw_bytes"]) / (1024 * 1024)


def fmt(value, unit):
    if unit == "mibs":
        return f"{value:.0f}"
    if value >= 1e6:
        return f"{value / 1e6:.2f}M"
    if value >= 1e3:
        return f"{value / 1e3:.1f}k"
    return f"{value:.0f}"


def md_escape(text):
    return text.replace("|", "\\|").strip()


def read_tsv(path):
    with open(path, newline="") as f:
        return [row for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE) if row]


def cell(values, errors, unit):
    """Median with the min–max range; notes failed runs so a partial cell is not mistaken for a full one."""
    if not values:
        return f"n/a (fio failed: {md_escape(errors[0])})" if errors else "n/a"
    text = fmt(statistics.median(values), unit)
    if len(values) > 1:
        text += f" ({fmt(min(values), unit)}–{fmt(max(values), unit)})"
    if errors:
        text += f" [{len(errors)} run(s) failed: {md_escape(errors[0])}]"
    return text


def table(results_tsv, status_tsv, jobs_tsv, targets_csv, references_csv=REFERENCES):
    targets = targets_csv.split(",")
    status = {row[0]: row[1] for row in read_tsv(status_tsv)}
    runs = {}  # (job, target) -> ([values], [errors])
    for _round, job, target, value, error in read_tsv(results_tsv):
        values, errors = runs.setdefault((job, target), ([], []))
        if value:
            values.append(float(value))
        else:
            errors.append(error or "unknown error")

    # Grouped by reference, ours in column order within each: "throttlefs ÷ passthrough_ll" keeps its old name and
    # place when throttlefs is the only one of ours. Ours that could not be mounted get none: their n/a column says why.
    ours = [target for target in OURS if target in targets and target not in status]
    ratios = [(mine, ref) for ref in references_csv.split(",") if ref in targets for mine in ours]
    header = ["Job", "Unit"] + targets + [f"{mine} ÷ {ref}" for mine, ref in ratios]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for job, label, unit in read_tsv(jobs_tsv):
        row = [label, "IOPS" if unit == "iops" else "MiB/s"]
        medians = {}
        for target in targets:
            if target in status:
                row.append(f"n/a ({md_escape(status[target])})")
                continue
            values, errors = runs.get((job, target), ([], []))
            row.append(cell(values, errors, unit))
            if values:
                medians[target] = statistics.median(values)
        for mine, reference in ratios:
            value, ref = medians.get(mine), medians.get(reference)
            row.append(f"{value / ref:.2f}×" if value is not None and ref else "–")
        lines.append("| " + " | ".join(row) + " |")
    print("\n".join(lines))


def medians(results_tsv, jobs_tsv, targets_csv):
    runs = {}  # (job, target) -> [values]
    for _round, job, target, value, _error in read_tsv(results_tsv):
        if value:
            runs.setdefault((job, target), []).append(float(value))
    for job, label, unit in read_tsv(jobs_tsv):
        for target in targets_csv.split(","):
            values = runs.get((job, target))
            if values:
                print(f"{job}\t{label}\t{unit}\t{target}\t{statistics.median(values):.3f}"
                      f"\t{min(values):.3f}\t{max(values):.3f}")


def main(argv):
    if len(argv) == 4 and argv[1] == "value":
        print(f"{fio_value(argv[2], argv[3]):.3f}")
    elif len(argv) in (6, 7) and argv[1] == "table":
        table(*argv[2:])
    elif len(argv) == 5 and argv[1] == "medians":
        medians(*argv[2:])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
