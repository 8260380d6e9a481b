"""Runs a server and the helper it talks to (nginx and fcgiwrap) as one process for the tests:
`python3 with_helper.py [--helper-user USER] HELPER... -- SERVER...`.

Both start with no signal blocked (the Swift test process blocks them all, and its children
inherit that), each in its own process group; SIGTERM stops both groups, fcgiwrap's workers
included, and exits once they are gone. With --helper-user, the helper runs as that user (as
Debian's fcgiwrap.socket unit starts it, as www-data).
"""
import os
import pwd
import signal
import subprocess
import sys

signal.pthread_sigmask(signal.SIG_SETMASK, [])
for s in (signal.SIGPIPE, signal.SIGTERM, signal.SIGCHLD):
    signal.signal(s, signal.SIG_DFL)

args = sys.argv[1:]
user = None
if args[:1] == ["--helper-user"]:
    user, args = args[1], args[2:]
split = args.index("--")
helper_command, server_command = args[:split], args[split + 1:]


def drop_privileges():
    if user:
        entry = pwd.getpwnam(user)
        os.setgroups([])
        os.setgid(entry.pw_gid)
        os.setuid(entry.pw_uid)


helper = subprocess.Popen(helper_command, start_new_session=True, preexec_fn=drop_privileges)
server = subprocess.Popen(server_command, start_new_session=True)


def stop(*_):
    # Only signals: the main flow below does the waiting (a handler that waited too would
    # deadlock on the lock of the wait it interrupted).
    for process in (server, helper):
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass


signal.signal(signal.SIGTERM, stop)
server.wait()
stop()
helper.wait()
