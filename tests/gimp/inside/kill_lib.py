"""Killing the plug-in's process while it waits at the service, as GIMP's Cancel does."""

import json
import os
import signal
import threading
import time
import urllib.request


def polled_tasks():
    """How many of the emulator's tasks the plug-in has polled at least once."""
    state = urllib.request.Request(
        os.environ["AILAB_API_BASE"] + "/_emulator/state", headers={"ailabapi-api-key": os.environ["HM_EMULATOR_KEY"]}
    )
    with urllib.request.urlopen(state, timeout=10) as answer:
        tasks = json.loads(answer.read())["tasks"].values()
    return sum(task["polls"] > 0 for task in tasks)


def kill_plugin():
    """SIGKILL every running halloween-mask.py process."""
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as handle:
                command = handle.read()
        except (OSError, ValueError):
            continue
        if b"halloween-mask.py" in command:
            os.kill(int(pid), signal.SIGKILL)


def kill_while_waiting(count, timeout=120.0):
    """Kill the plug-in once it polls ``count`` tasks (gives up, killing nothing, after ``timeout`` s).

    (Killed between a submit reaching the service and its answer reaching the plug-in, a task
    cannot be known to the next run: no client can tell, the vendor has no idempotency key.)"""
    end = time.monotonic() + timeout
    while polled_tasks() < count:
        if time.monotonic() > end:
            return
        time.sleep(0.05)
    kill_plugin()


def run_killed(go, count):
    """``go()``'s result, with the plug-in it runs killed once it polls ``count`` tasks."""
    killer = threading.Thread(target=kill_while_waiting, args=(count,))
    killer.start()
    try:
        return go()
    finally:
        killer.join()
