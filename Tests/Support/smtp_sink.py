"""An SMTP server on loopback for the mail tests: `python3 smtp_sink.py PORT DIR`.

Each message it accepts is written as DIR/NNN.eml (the bytes as received) and DIR/NNN.rcpt
(the envelope recipients, one a line). Prints "ready" once it listens; runs until SIGTERM.
"""
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller

signal.pthread_sigmask(signal.SIG_SETMASK, [])  # a test process may have blocked every signal


class Sink:
    def __init__(self, folder):
        self.folder = folder
        self.count = len([name for name in os.listdir(folder) if name.endswith(".eml")])  # restarts keep numbering
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            stem = os.path.join(self.folder, "%03d" % self.count)
        with open(stem + ".rcpt.tmp", "w") as f:
            f.write("\n".join(envelope.rcpt_tos) + "\n")
        with open(stem + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(stem + ".rcpt.tmp", stem + ".rcpt")
        os.rename(stem + ".eml.tmp", stem + ".eml")
        return "250 Message accepted for delivery"


def main():
    port, folder = int(sys.argv[1]), sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    controller = Controller(Sink(folder), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
