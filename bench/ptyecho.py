#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""ptyecho.py N CMD...: keystroke echo latency through a terminal relay.

A pty of our own plays the user's terminal: CMD runs on its slave as the
controlling terminal of a new session (so it is the foreground job and its
relay goes raw), and we, on the master, type N single bytes, one at a time,
timing each from the write until its echo comes back.  The echo is made by
the innermost terminal's line discipline (cat reads nothing until a newline),
so what is timed is the relay's two hops.  Prints "p50 p99" in microseconds.
"""
import fcntl
import os
import select
import signal
import sys
import termios
import time


def wait_echo(master, deadline):
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no echo")
        r, _, _ = select.select([master], [], [], left)
        if r and os.read(master, 4096):
            return


def main():
    n = int(sys.argv[1])
    cmd = sys.argv[2:]
    master, slave = os.openpty()
    pid = os.fork()
    if pid == 0:
        os.setsid()
        os.close(master)
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
        for fd in (0, 1, 2):
            os.dup2(slave, fd)
        if slave > 2:
            os.close(slave)
        os.execvp(cmd[0], cmd)
    os.close(slave)
    # ready: the first echo (the relay may take a while to start)
    deadline = time.monotonic() + 10
    while True:
        os.write(master, b"w")
        try:
            wait_echo(master, min(deadline, time.monotonic() + 0.2))
            break
        except TimeoutError:
            if time.monotonic() > deadline:
                raise
    time.sleep(0.1)
    while select.select([master], [], [], 0.05)[0]:
        os.read(master, 4096)
    times = []
    for i in range(n + 50):
        # a line of the inner terminal holds 4095 bytes: end one now and then
        if i % 1000 == 999:
            os.write(master, b"\r")
            wait_echo(master, time.monotonic() + 5)
            time.sleep(0.01)
            while select.select([master], [], [], 0.01)[0]:
                os.read(master, 4096)
        t = time.perf_counter_ns()
        os.write(master, b"k")
        wait_echo(master, time.monotonic() + 5)
        if i >= 50:  # the first ones warm up
            times.append((time.perf_counter_ns() - t) / 1000)
    os.kill(pid, signal.SIGTERM)
    os.close(master)
    os.waitpid(pid, 0)
    times.sort()
    print("%.1f %.1f" % (times[len(times) // 2], times[min(len(times) - 1, len(times) * 99 // 100)]))


if __name__ == "__main__":
    main()
