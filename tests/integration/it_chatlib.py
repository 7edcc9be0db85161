"""Shared pieces of the chat bridge's Python integration tests: a work
directory, processes with logs, a real broker on loopback and the `shangju`
CLI against it, and the WeChat / WeCom message crypto written from the
published WXBizMsgCrypt description (independent of the bridge's C code).
"""
import base64
import hashlib
import json
import os
import signal
import struct
import subprocess
import tempfile
import time

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def fail(msg):
    raise AssertionError(msg)


class World:
    """A temp dir, a broker, the CLI, and processes started with logs."""

    def __init__(self, broker, cli, it_tool, prefix):
        self.broker, self.cli, self.it_tool = broker, cli, it_tool
        self.work = tempfile.mkdtemp(prefix=prefix)
        self.data = os.path.join(self.work, "data")
        self.keys = os.path.join(self.work, "keys")
        os.makedirs(self.keys)
        self.procs = {}
        self.req = "tcp://127.0.0.1:%d" % self.free_port()
        self.ev = "tcp://127.0.0.1:%d" % self.free_port()

    def free_port(self):
        return int(subprocess.check_output([self.it_tool, "port"]).strip())

    def path(self, *parts):
        return os.path.join(self.work, *parts)

    def key(self, name):
        return os.path.join(self.keys, name + ".key")

    def start(self, name, argv, **kw):
        log = open(self.path(name + ".log"), "ab")
        self.procs[name] = subprocess.Popen(argv, stdout=log, stderr=log, **kw)
        return self.procs[name]

    def stop(self, name, sig=signal.SIGTERM):
        p = self.procs.pop(name)
        p.send_signal(sig)
        return p.wait(timeout=15)

    def stop_all(self):
        for name in list(self.procs):
            p = self.procs[name]
            if p.poll() is None:
                p.send_signal(signal.SIGCONT)
                p.kill()
                p.wait()
        self.procs.clear()

    def log_of(self, name):
        with open(self.path(name + ".log"), "rb") as f:
            return f.read().decode("utf-8", "replace")

    def sj(self, *args, key=None, check=True):
        argv = [self.cli, "--data", self.data, "--requests", self.req,
                "--events", self.ev, "--json"]
        if key:
            argv += ["--key", self.key(key)]
        r = subprocess.run(argv + list(args), capture_output=True, text=True)
        if check and r.returncode != 0:
            fail("shangju %s: %s" % (" ".join(args), r.stderr))
        return json.loads(r.stdout) if r.returncode == 0 and r.stdout else None

    def broker_start(self):
        # a start refuses an uninitialised directory: init it once
        if not os.path.exists(os.path.join(self.data, "data.mdb")):
            subprocess.run([self.broker, "init", "--data", self.data],
                           check=True, stdout=subprocess.DEVNULL)
        self.start("broker", [self.broker, "--data", self.data, "--requests",
                              self.req, "--events", self.ev])
        for _ in range(100):
            if os.path.exists(os.path.join(self.data, "committee.key")) and \
                    subprocess.run([self.cli, "--data", self.data,
                                    "--requests", self.req, "--events",
                                    self.ev, "--timeout", "300", "ping"],
                                   capture_output=True).returncode == 0:
                return
            time.sleep(0.1)
        fail("broker not ready")

    def wishes(self):
        return self.sj("wish", "list", "--limit", "500")["items"]


def wait_until(pred, what, timeout=5.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(0.05)
    fail("timed out waiting for " + what)


# ------------------------------------------------ WXBizMsgCrypt, in Python
def sha1_sorted(*parts):
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


class WxCrypt:
    def __init__(self, token, aes_key, appid):
        self.token, self.appid = token, appid
        self.key = base64.b64decode(aes_key + "=")

    def _cipher(self):
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def encrypt(self, text, appid=None):
        msg = text.encode()
        raw = os.urandom(16) + struct.pack(">I", len(msg)) + msg + \
            (appid or self.appid).encode()
        pad = 32 - len(raw) % 32
        raw += bytes([pad]) * pad
        e = self._cipher().encryptor()
        return base64.b64encode(e.update(raw) + e.finalize()).decode()

    def decrypt(self, b64):
        d = self._cipher().decryptor()
        raw = d.update(base64.b64decode(b64)) + d.finalize()
        raw = raw[:-raw[-1]]
        n = struct.unpack(">I", raw[16:20])[0]
        if raw[20 + n:].decode() != self.appid:
            fail("reply encrypted for another id")
        return raw[20:20 + n].decode()
