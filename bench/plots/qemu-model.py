#!/usr/bin/env python3
"""QEMU's leaky-bucket model of one operations bucket, for the burst picture: how many requests a closed-loop
client that never stops asking gets admitted in each second, written from the rules in QEMU's util/throttle.c
(not from ThrottleFs's engine, so the picture compares the two).

  qemu-model.py AVG MAX LENGTH PHASES

AVG, MAX and LENGTH are iops-total, iops-total-max and iops-total-max-length. PHASES is a comma-separated list of
run:SECONDS and idle:SECONDS; the client asks back to back while running and not at all while idle. Prints
"time<TAB>admitted" for every whole second of each run, counted from the run's start as fio's one-second IOPS
log windows are, then the run's end with the last count (so a step plot draws the last second), and a blank line
between runs (so the plot shows no line through the idle time).

The rules (docs: QEMU util/throttle.c, throttle_compute_wait and throttle_leak_bucket):
  - the bucket leaks at AVG per second; with MAX its capacity is MAX × LENGTH, else AVG / 10;
  - with LENGTH > 1 a burst bucket of capacity MAX / 10 leaks at MAX;
  - a request may start when level ≤ capacity (and burst level ≤ burst capacity); it then adds 1 to both;
  - otherwise it waits (level − capacity) / rate seconds and asks again.
"""
import sys


def simulate(avg, peak, length, phases):
    capacity = peak * length if peak else avg / 10
    burst_capacity = peak / 10 if peak and length > 1 else None
    level = burst_level = 0.0
    now = last_leak = 0.0
    admitted = []  # per run: (start, end, [admission times])

    def leak(to):
        nonlocal level, burst_level, last_leak
        elapsed = to - last_leak
        level = max(level - avg * elapsed, 0.0)
        if burst_capacity is not None:
            burst_level = max(burst_level - peak * elapsed, 0.0)
        last_leak = to

    for kind, seconds in phases:
        end = now + seconds
        if kind == "idle":
            now = end
            continue
        run = []
        admitted.append((now, end, run))
        while now < end:
            leak(now)
            wait = 0.0
            if level > capacity:
                wait = (level - capacity) / avg
            elif burst_capacity is not None and burst_level > burst_capacity:
                wait = (burst_level - burst_capacity) / peak
            if wait > 0:
                now += max(wait, 1e-9)  # the timer fires, the request asks again
                continue
            level += 1
            if burst_capacity is not None:
                burst_level += 1
            run.append(now)
    return admitted


def parse_phases(text):
    phases = []
    for part in text.split(","):
        kind, _, seconds = part.partition(":")
        if kind not in ("run", "idle") or not seconds:
            sys.exit(f"phase '{part}': expected run:SECONDS or idle:SECONDS")
        phases.append((kind, float(seconds)))
    return phases


def main(argv):
    if len(argv) != 5:
        sys.exit(__doc__)
    avg, peak, length = float(argv[1]), float(argv[2]), float(argv[3])
    for number, (start, end, times) in enumerate(simulate(avg, peak, length, parse_phases(argv[4]))):
        if number:
            print()
        seconds = int(end - start)
        counts = [0] * seconds
        for t in times:
            if int(t - start) < seconds:
                counts[int(t - start)] += 1
        for second, count in enumerate(counts):
            print(f"{start + second:.3f}\t{count}")
        print(f"{start + seconds:.3f}\t{counts[-1]}")


if __name__ == "__main__":
    main(sys.argv)
