#!/usr/bin/env python3
"""Integration test runner for outagebot (Python 3 standard library only).

  python3 tests/integ/run.py [-k SUBSTRING] [-j N] [--list] [--keep]

Discovers tests/integ/test_*.py and runs every `def test_*(t)` in it; `t`
is a harness.Context (temp dir, cleanup registration, servers, clients, the
bot). Prints one line per test:

  PASS test_core::test_version (1.2s)
  FAIL test_core::test_version: <reason>
       <details: what the clients saw, the bot's stderr tail>

and ends with exactly "N passed, N failed" (exit status 1 if any failed).

Each test runs in a worker process of its own, in a process group of its
own, with a time limit (OB_TEST_TIMEOUT, default 90 s; a test function may
set a `timeout` attribute). A test over its limit, or every running test on
Ctrl-C, is sent SIGTERM, which makes the worker fail the test and run its
cleanups (servers and bot stopped); whatever is still left in the worker's
process group after that is killed. The bot binary is $OB_BUILD/outagebot
(OB_BUILD defaults to "build"), copied into the run dir at the start so that
a rebuild during the run cannot mix binaries; with OB_BUILD=build-asan
sanitizer reports in the bot's stderr fail the test.

Test dirs are under one run dir in $TMPDIR; those of passed tests are
removed, those of failed tests kept (the path is printed), all kept with
--keep.
"""

import argparse
import importlib.util
import inspect
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DEFAULT_TIMEOUT = float(os.environ.get("OB_TEST_TIMEOUT", "90"))
GRACE = 20.0          # seconds a terminated worker gets for its cleanups


def load_module(path):
    name = "integ_" + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def discover():
    """[(test id, file, function name, timeout)] in file and source order."""
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    found = []
    for fn in sorted(os.listdir(HERE)):
        if not (fn.startswith("test_") and fn.endswith(".py")):
            continue
        path = os.path.join(HERE, fn)
        mod = load_module(path)
        funcs = [f for name, f in vars(mod).items()
                 if name.startswith("test_") and inspect.isfunction(f)
                 and f.__module__ == mod.__name__]
        funcs.sort(key=lambda f: f.__code__.co_firstlineno)
        for f in funcs:
            tid = "%s::%s" % (fn[:-3], f.__name__)
            found.append((tid, path, f.__name__,
                          float(getattr(f, "timeout", DEFAULT_TIMEOUT))))
    return found


# ------------------------------------------------------------------ worker

class Interrupted(BaseException):
    pass


def worker(path, func_name, result_file, workdir):
    """Run one test in this process; write a JSON result."""
    sys.path.insert(0, HERE)
    import harness

    def on_signal(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        raise Interrupted("interrupted by %s (time limit or Ctrl-C)"
                          % signal.Signals(signum).name)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    t0 = time.monotonic()
    result = {"status": "FAIL", "reason": "", "details": ""}
    ctx = harness.Context(func_name, workdir)
    try:
        mod = load_module(path)
        getattr(mod, func_name)(ctx)
        result["status"] = "PASS"
    except BaseException as e:       # every kind of failure is a FAIL line
        result["reason"], result["details"] = describe_failure(e)
    # cleanups run with signals ignored; the runner's SIGKILL is the backstop
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    err = ctx.run_cleanups()
    if err is not None and result["status"] == "PASS":
        result["status"] = "FAIL"
        result["reason"], result["details"] = describe_failure(err)
        result["reason"] = "at cleanup: " + result["reason"]
    if result["status"] == "FAIL":
        bots = ctx.failure_details()
        if bots and "bot stderr (" not in result["details"]:
            result["details"] += ("\n" if result["details"] else "") + bots
    result["seconds"] = time.monotonic() - t0
    with open(result_file, "w") as f:
        json.dump(result, f)
    return 0


def describe_failure(e):
    text = str(e) or e.__class__.__name__
    first, _, rest = text.partition("\n")
    if not isinstance(e, AssertionError) or not str(e):
        # unexpected error (or a bare assert): where it happened matters
        tb = traceback.format_exception(type(e), e, e.__traceback__)
        rest = (rest + "\n" if rest else "") + "".join(tb[-6:])
        if isinstance(e, AssertionError):
            first = "assertion failed"
        elif not isinstance(e, Interrupted):
            first = "%s: %s" % (e.__class__.__name__, first)
    return first, rest.rstrip()


# ------------------------------------------------------------------ master

class Job:
    def __init__(self, tid, path, func, timeout, rundir):
        self.tid, self.path, self.func, self.timeout = tid, path, func, timeout
        self.dir = os.path.join(rundir, tid.replace("::", "."))
        os.makedirs(self.dir)
        self.result_file = os.path.join(self.dir, "result.json")
        self.output = os.path.join(self.dir, "worker.out")
        self.proc = None
        self.t0 = None
        self.term_at = None       # when SIGTERM was sent
        self.why = None           # timeout / interrupted

    def start(self):
        out = open(self.output, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--worker", self.path,
             self.func, self.result_file, self.dir],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            cwd=ROOT, start_new_session=True)
        out.close()
        self.t0 = time.monotonic()

    def exited(self):
        """True when the worker has exited; it is not reaped yet, so its
        process group id cannot be reused while we clean it up."""
        try:
            info = os.waitid(os.P_PID, self.proc.pid,
                             os.WEXITED | os.WNOHANG | os.WNOWAIT)
        except ChildProcessError:
            return True
        return info is not None

    def kill_group(self):
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass

    def terminate(self, why):
        if self.term_at is None:
            self.why = why
            self.term_at = time.monotonic()
            try:
                os.kill(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def finish(self):
        """Reap the worker, kill leftovers of its group; (ok, line, detail)."""
        self.kill_group()          # leftovers only: the leader has exited
        self.proc.wait()
        secs = time.monotonic() - self.t0
        res = None
        try:
            with open(self.result_file) as f:
                res = json.load(f)
        except (OSError, ValueError):
            pass
        if res is None:
            reason = "worker exited with status %s and no result" % self.proc.returncode
            details = tail_file(self.output)
            return False, reason, details, secs
        reason, details = res.get("reason", ""), res.get("details", "")
        if self.why == "timeout":
            reason = "timed out after %.0f s (%s)" % (self.timeout, reason or "no reason given")
        elif self.why == "interrupted":
            reason = "interrupted (Ctrl-C)"
        out = tail_file(self.output, 15)
        if res["status"] != "PASS" and out.strip():
            details += "\n  worker output:\n" + out
        return res["status"] == "PASS" and self.why is None, reason, details, secs


def tail_file(path, n=30):
    try:
        with open(path, "rb") as f:
            lines = f.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return ""
    return "\n".join("    " + l for l in lines[-n:])


def indent(text):
    return "\n".join("     " + l if l.strip() else "" for l in text.splitlines())


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "--worker":
        return worker(*sys.argv[2:6])

    ap = argparse.ArgumentParser(description="outagebot integration tests")
    ap.add_argument("-k", dest="pattern", default="",
                    help="run only tests whose id contains SUBSTRING")
    ap.add_argument("-j", dest="jobs", type=int, default=2,
                    help="tests run in parallel (default 2)")
    ap.add_argument("--list", action="store_true", help="list tests and exit")
    ap.add_argument("--keep", action="store_true",
                    help="keep every test's dir (default: only failed ones)")
    args = ap.parse_args()

    tests = [t for t in discover() if args.pattern in t[0]]
    if args.list:
        for t in tests:
            print(t[0])
        return 0

    binary = os.path.join(os.environ.get("OB_BUILD", "build"), "outagebot")
    if not os.path.isabs(binary):
        binary = os.path.join(ROOT, binary)
    rundir = tempfile.mkdtemp(prefix="outagebot-integ-")
    if os.path.exists(binary):
        # one binary for the whole run, even if it is rebuilt meanwhile
        snap = os.path.join(rundir, "outagebot")
        shutil.copy2(binary, snap)
        os.environ["OB_BINARY"] = snap
    else:
        print("note: %s does not exist; tests that run the bot will fail" % binary,
              flush=True)
    queue = [Job(t[0], t[1], t[2], t[3], rundir) for t in tests]
    running, passed, failed = [], 0, 0
    interrupted = False
    jobs = max(1, args.jobs)

    def report(job):
        nonlocal passed, failed
        ok, reason, details, secs = job.finish()
        if ok:
            passed += 1
            print("PASS %s (%.1fs)" % (job.tid, secs), flush=True)
            if not args.keep:
                shutil.rmtree(job.dir, ignore_errors=True)
        else:
            failed += 1
            print("FAIL %s: %s" % (job.tid, reason), flush=True)
            if details.strip():
                print(indent(details), flush=True)
            print("     (files kept in %s)" % job.dir, flush=True)

    try:
        while queue or running:
            while queue and len(running) < jobs and not interrupted:
                job = queue.pop(0)
                job.start()
                running.append(job)
            if interrupted:
                for job in queue:
                    failed += 1
                    print("FAIL %s: not run (interrupted)" % job.tid, flush=True)
                queue = []
            now = time.monotonic()
            for job in list(running):
                if job.exited():
                    running.remove(job)
                    report(job)
                elif job.term_at is None and now - job.t0 > job.timeout:
                    job.terminate("timeout")
                elif job.term_at is not None and now - job.term_at > GRACE:
                    job.kill_group()
            time.sleep(0.05)
    except KeyboardInterrupt:
        interrupted = True
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("\ninterrupted: stopping running tests", flush=True)
        for job in running:
            job.terminate("interrupted")
        deadline = time.monotonic() + GRACE
        while running:
            for job in list(running):
                if job.exited():
                    running.remove(job)
                    report(job)
            if time.monotonic() > deadline:
                for job in running:
                    job.kill_group()
            time.sleep(0.05)
        for job in queue:
            failed += 1
            print("FAIL %s: not run (interrupted)" % job.tid, flush=True)

    if not args.keep and set(os.listdir(rundir)) <= {"outagebot"}:
        shutil.rmtree(rundir, ignore_errors=True)
    print("%d passed, %d failed" % (passed, failed), flush=True)
    return 1 if failed or interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
