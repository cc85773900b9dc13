"""Resident memory of this process, for the benchmarks (CPU; on CUDA use torch.cuda.max_memory_allocated)."""
import os, threading, time

def rss_mb() -> float:
    "Current resident memory of this process in MB (Linux /proc)."
    return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

def peak_during(fn) -> float:
    "Peak resident memory (MB) while `fn` runs, sampled every millisecond by a thread (torch ops release the GIL)."
    peak, stop = [rss_mb()], threading.Event()
    def poll():
        while not stop.is_set(): peak[0] = max(peak[0], rss_mb()); time.sleep(0.001)
    th = threading.Thread(target=poll, daemon=True); th.start()
    try: fn()
    finally: stop.set(); th.join()
    return max(peak[0], rss_mb())
