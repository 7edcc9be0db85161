#!/usr/bin/python3
"""Integration: the merchant desktop client against a real broker (issue
12). The real window runs under Xvfb with a session bus and is driven
through the accessibility tree (pyatspi), as a screen reader would:

 1. the board shows the wishes the broker holds; a wish posted by another
    client appears within a second (measured); Claim changes the broker's
    state (checked with the CLI); the resident's contact shows under My
    claims; a scanned hand-over URL (typed as keystrokes, then Enter, like a
    USB scanner) fulfils the wish, verified; a listing edit is visible
    through the CLI; the placard saved as PDF (the print operation exported
    to a file) decodes with zbarimg (via pdftoppm) to the shop's URL; the
    desk signs a compact, records a performance of the shop's item, and
    confirms a performance the resident recorded of an item she gives the
    shop (the CLI sees it confirmed by the shop; her points rise);
 2. the broker stopped: the offline banner shows within 5 s and an action
    is refused visibly (the broker's state unchanged); restarted, with
    wishes posted and one cancelled meanwhile: the banner clears and the
    board catches up, each wish exactly once;
 3. LANGUAGE=zh_CN and LANGUAGE=en show the two languages;
 4. screenshots of every view in Chinese go to $SJ_SCREENSHOTS when set
    (docs/screenshots/ is made that way), else to the work directory.

Run it under a session bus: dbus-run-session -- it_desk.py BROKER CLI
IT_TOOL DESK (ctest does).
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

BROKER, CLI, IT_TOOL, DESK = sys.argv[1:5]
for tool in ("Xvfb", "zbarimg", "pdftoppm", "import", "xdotool"):
    if not shutil.which(tool):
        sys.exit("FAIL: %s is missing (make deps)" % tool)
if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
    sys.exit("FAIL: run under dbus-run-session")

WORK = tempfile.mkdtemp(prefix="sj-it-desk.")
# The accessibility bus (started by this session bus on first use) puts its
# socket in $XDG_RUNTIME_DIR/at-spi, else in ~/.cache/at-spi: the same path
# for every run of one user, so two runs at once (two worktrees, a repeated
# ctest) took each other's bus away ("Unable to connect to the
# accessibility bus"). A private runtime directory per run, for the bus's
# activations and for the desks started here.
RUNTIME = os.path.join(WORK, "run")
os.mkdir(RUNTIME, 0o700)
os.environ["XDG_RUNTIME_DIR"] = RUNTIME
try:
    from gi.repository import Gio, GLib
    Gio.bus_get_sync(Gio.BusType.SESSION, None).call_sync(
        "org.freedesktop.DBus", "/org/freedesktop/DBus",
        "org.freedesktop.DBus", "UpdateActivationEnvironment",
        GLib.Variant("(a{ss})", ({"XDG_RUNTIME_DIR": RUNTIME},)),
        None, Gio.DBusCallFlags.NONE, -1, None)
    import pyatspi
except ImportError:
    sys.exit("FAIL: python3-pyatspi is not installed (make deps)")

DATA = os.path.join(WORK, "data")
KEYS = os.path.join(WORK, "keys")
HOME = os.path.join(WORK, "home")
os.makedirs(KEYS)
os.makedirs(HOME)
SHOTS = os.environ.get("SJ_SCREENSHOTS") or os.path.join(WORK, "shots")
os.makedirs(SHOTS, exist_ok=True)
PROCS = {}
BASE = "https://jinqiao.example.org"


APPS = []


def fail(msg):
    if os.environ.get("DISPLAY"):
        subprocess.run(["import", "-window", "root",
                        os.path.join(WORK, "fail.png")])
        print("screen at failure:", os.path.join(WORK, "fail.png"),
              file=sys.stderr)
    for name, p in PROCS.items():  # a process that died says why
        print("process %s: %s" % (name, "running" if p.poll() is None
                                  else "exited %s" % p.returncode),
              file=sys.stderr)
    for a in APPS:  # what the window says, for the log
        try:
            print("labels:", [t for t in texts(a) if t][-12:],
                  file=sys.stderr)
        except Exception:
            pass
    raise AssertionError(msg)


def free_port():
    return int(subprocess.check_output([IT_TOOL, "port"]).strip())


REQ = "tcp://127.0.0.1:%d" % free_port()
EV = "tcp://127.0.0.1:%d" % free_port()


def start(name, argv, env=None):
    log = open(os.path.join(WORK, name + ".log"), "ab")
    PROCS[name] = subprocess.Popen(argv, stdout=log, stderr=log, env=env)


def stop(name, sig=signal.SIGTERM):
    p = PROCS.pop(name)
    p.send_signal(sig)
    return p.wait(timeout=15)


def sj(*args, key=None, check=True):
    argv = [CLI, "--data", DATA, "--requests", REQ, "--events", EV, "--json"]
    if key:
        argv += ["--key", os.path.join(KEYS, key + ".key")]
    r = subprocess.run(argv + list(args), capture_output=True)
    if check and r.returncode != 0:
        fail("shangju %s: %s" % (" ".join(args), r.stderr.decode()))
    out = r.stdout.decode("utf-8")
    return json.loads(out) if r.returncode == 0 and out.strip() else None


def state(wish):
    """The wish's state as the CLI prints it, e.g. "claimed"."""
    return str(sj("wish", "show", str(wish))["state"]).lower().split("_")[-1]


def broker_start():
    # a start refuses an uninitialised directory: init it explicitly once
    if not os.path.exists(os.path.join(DATA, "data.mdb")):
        subprocess.run([BROKER, "init", "--data", DATA], check=True,
                       stdout=subprocess.DEVNULL)
    start("broker", [BROKER, "--data", DATA, "--requests", REQ,
                     "--events", EV, "--public-url", BASE])
    for _ in range(100):
        if os.path.exists(os.path.join(DATA, "committee.key")) and \
                subprocess.run([CLI, "--data", DATA, "--requests", REQ,
                                "--events", EV, "--timeout", "300", "ping"],
                               capture_output=True).returncode == 0:
            return
        time.sleep(0.1)
    fail("broker not ready")


def wait_for(cond, what, timeout=30):
    """Polls cond until it is true. A widget GTK destroys while the tree is
    being read (a page rebuilt, a row replaced) raises an AT-SPI error for
    that one read: that is a retry, not a failure; a process that died is."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            v = cond()
        except GLib.GError as e:
            dead = [n for n, p in PROCS.items() if p.poll() is not None]
            if dead:
                fail("%s exited while waiting for %s (%s)" %
                     (", ".join(dead), what, e))
            v = None
        if v:
            return v
        time.sleep(0.05)
    fail("timed out waiting for " + what)


# ------------------------------------------------------------ X and AT-SPI

def xvfb_start():
    r, w = os.pipe()
    p = subprocess.Popen(["Xvfb", "-displayfd", str(w), "-screen", "0",
                          "1280x860x24", "-nolisten", "tcp"],
                         pass_fds=(w,), stderr=subprocess.DEVNULL)
    os.close(w)
    num = b""
    while not num.endswith(b"\n"):
        c = os.read(r, 1)
        if not c:
            fail("Xvfb did not start")
        num += c
    os.close(r)
    PROCS["xvfb"] = p
    return ":" + num.decode().strip()


def desk_env(lang):
    env = dict(os.environ)
    env.update({
        "HOME": HOME, "XDG_CONFIG_HOME": os.path.join(HOME, ".config"),
        "LANG": "C.UTF-8", "LANGUAGE": lang, "GSETTINGS_BACKEND": "memory",
        "GTK_A11Y": "atspi", "GDK_BACKEND": "x11",
        "SHANGJU_TIME_ZONE": "Asia/Shanghai",
        "GSK_RENDERER": "cairo",  # GL renders black under Xvfb
    })
    env.pop("LC_ALL", None)
    return env


def desk_start(name, lang, extra=()):
    start(name, [DESK] + list(extra), env=desk_env(lang))
    app = wait_for(lambda: find_app(PROCS[name].pid), "the desk on AT-SPI",
                   timeout=60)
    APPS.append(app)
    return app


def find_app(pid):
    desktop = pyatspi.Registry.getDesktop(0)
    for i in range(desktop.childCount):
        a = desktop.getChildAtIndex(i)
        try:
            if a is not None and a.get_process_id() == pid:
                return a
        except Exception:
            pass
    return None


def find(root, role=None, name=None, prefix=None, showing=False):
    def pred(x):
        if x is None:
            return False
        if role and x.getRoleName() != role:
            return False
        n = x.name or ""
        if name is not None and n != name:
            return False
        if prefix is not None and not n.startswith(prefix):
            return False
        if showing and not x.getState().contains(pyatspi.STATE_SHOWING):
            return False
        return True
    try:
        return pyatspi.findDescendant(root, pred)
    except Exception:
        return None


def find_all(root, role=None, name=None):
    try:
        return pyatspi.findAllDescendants(
            root, lambda x: x is not None and
            (role is None or x.getRoleName() == role) and
            (name is None or x.name == name))
    except Exception:
        return []


def name_of(x):
    """x's name, or None for no widget or one GTK has just destroyed."""
    try:
        return x.name if x is not None else None
    except GLib.GError:
        return None


def texts(root):
    """Every label's text under root (the names GTK gives labels); a label
    destroyed between the search and the read is skipped."""
    out = []
    for x in find_all(root, role="label"):
        try:
            n = x.name
        except GLib.GError:
            continue
        if n:
            out.append(n)
    return out


def press(root, name, role="push button", timeout=30):
    b = wait_for(lambda: find(root, role, name), "button " + name, timeout)
    b.queryAction().doAction(0)
    return b


def set_text(root, name, text):
    e = wait_for(lambda: find(root, "text", name) or
                 find(root, "entry", name), "entry " + name)
    e.queryEditableText().setTextContents(text)
    return e


def status(app):
    s = find(app, "label", prefix=None)
    return s


def switch(app, title):
    press(app, title, role="page tab")
    time.sleep(0.3)


def screenshot(name):
    """The screen, trimmed of the empty (black) root window around the
    window."""
    subprocess.run(["import", "-window", "root", "-trim", "+repage",
                    os.path.join(SHOTS, name)], check=True)


def type_keys(text, mnemonic):
    """Focus an entry with its mnemonic (Alt+key), then type text as key
    events and Enter, as a USB barcode scanner does (xdotool: XTest)."""
    win = subprocess.run(["xdotool", "search", "--name", "^已连接|商居"],
                         capture_output=True, text=True).stdout.split()
    for w in win:
        subprocess.run(["xdotool", "windowfocus", "--sync", w],
                       capture_output=True)
    subprocess.run(["xdotool", "key", "alt+" + mnemonic], check=True)
    time.sleep(0.3)
    subprocess.run(["xdotool", "type", "--delay", "5", text], check=True)
    subprocess.run(["xdotool", "key", "Return"], check=True)


def label_with(app, text):
    return [t for t in texts(app) if t == text]


# ------------------------------------------------------------------ tests

def main():
    display = xvfb_start()
    os.environ["DISPLAY"] = display
    broker_start()
    sj("member", "add", "--role", "merchant", "--name", "Sunny Bakery",
       "--key-out", os.path.join(KEYS, "mer.key"))
    mer = sj("whoami", key="mer")["id"]
    sj("merchant", "register", "--name", "阳光面包房", "--category", "food",
       "--specialty", "月饼", "--address", "金桥路 1 号", "--hours", "8-20",
       "--service", "Mooncake class:30:Bake with us", key="mer")
    sj("member", "add", "--role", "resident", "--name", "王阿姨",
       "--community", "Jinqiao", "--building", "3号楼",
       "--contact", "138-5555-0003",
       "--key-out", os.path.join(KEYS, "res.key"))
    sj("member", "add", "--role", "resident", "--name", "李小明",
       "--community", "Jinqiao", "--building", "5号楼",
       "--contact", "wx:li-secret",
       "--key-out", os.path.join(KEYS, "res2.key"))
    w1 = sj("wish", "post", "重拍结婚照", "--category", "photo",
            key="res")["id"]
    w2 = sj("wish", "post", "学做月饼", "--category", "food",
            key="res2")["id"]

    # First run: no settings. The dialog asks and remembers them.
    app = desk_start("desk", "zh_CN")
    set_text(app, "你的密钥文件", os.path.join(KEYS, "mer.key"))
    set_text(app, "服务器的密钥文件", os.path.join(DATA, "server.pub"))
    set_text(app, "请求地址", REQ)
    set_text(app, "事件地址", EV)
    press(app, "连接")
    ini = os.path.join(HOME, ".config", "shangju", "desk.ini")
    wait_for(lambda: os.path.exists(ini), "the remembered settings")
    if REQ not in open(ini).read():
        fail("settings not remembered: " + open(ini).read())

    # 1. The board shows what the broker holds.
    wait_for(lambda: find(app, "push button", "认领“重拍结婚照”"),
             "wish 1 on the board")
    wait_for(lambda: find(app, "push button", "认领“学做月饼”"),
             "wish 2 on the board")
    screenshot("desk-board.png")

    # A wish posted by another client appears within a second. Timed on
    # the board's count label alone (one D-Bus call a poll: walking the
    # window costs more than a second on a busy machine), then the row.
    board = find(app, "list", "等待认领的心愿")
    count = find(app, "label", "2 个待认领心愿")
    if not count:
        fail("the board's count is not 2")
    t0 = time.monotonic()
    w3 = sj("wish", "post", "修理收音机", "--category", "food",
            key="res")["id"]
    t_posted = time.monotonic()
    wait_for(lambda: count.name == "3 个待认领心愿", "the new wish",
             timeout=5)
    took = time.monotonic() - t_posted
    print("new wish on the board %.0f ms after the CLI returned "
          "(%.0f ms after it started)" % (took * 1000,
                                          (time.monotonic() - t0) * 1000))
    if took > 1.0:
        fail("the new wish took %.2f s to appear" % took)
    wait_for(lambda: find(board, "push button", "认领“修理收音机”"),
             "the new wish's row")
    # Newest on top: the board's first Claim button is the newest wish.
    top = wait_for(lambda: name_of(find(board, "push button", prefix="认领")),
                   "the board's first Claim button")
    if top != "认领“修理收音机”":
        fail("the newest wish is not on top: " + top)
    # In the shop's category (food): the alert bar names it until
    # acknowledged (the sound repeats meanwhile; no sound card here).
    wait_for(lambda: "1 个新心愿：“修理收音机”" in texts(app),
             "the alert bar")
    press(app, "确认已看到")
    wait_for(lambda: not find(app, "push button", "确认已看到"),
             "the alert bar acknowledged")
    # A wish with no category (every wish sent from chat has none) may
    # concern any shop: it alerts too. Cancelled, so the rest holds.
    w0 = sj("wish", "post", "帮忙搬个柜子", key="res2")["id"]
    wait_for(lambda: "1 个新心愿：“帮忙搬个柜子”" in texts(app),
             "the alert for a wish with no category")
    press(app, "确认已看到")
    wait_for(lambda: not find(app, "push button", "确认已看到"),
             "the second alert acknowledged")
    sj("wish", "cancel", str(w0), key="res2")
    wait_for(lambda: not find(app, "push button", "认领“帮忙搬个柜子”"),
             "the cancelled wish leaving the board")

    # Claim it: the broker's state changes (checked with the CLI).
    press(app, "认领“重拍结婚照”")
    wait_for(lambda: state(w1) == "claimed", "the claim in the broker")
    got = sj("wish", "show", str(w1))
    if int(got["claim"]["merchant_id"]) != mer:
        fail("claimed by %s, not the desk's merchant" % got["claim"])
    wait_for(lambda: not find(app, "push button", "认领“重拍结婚照”"),
             "the claimed wish leaving the board")

    # My claims: due date, the resident's contact while the claim is live.
    switch(app, "我的认领")
    wait_for(lambda: any("138-5555-0003" in t for t in texts(app)),
             "the resident's contact under My claims")
    wait_for(lambda: any(t.startswith("截止") for t in texts(app)),
             "the due date and countdown")
    screenshot("desk-claims.png")

    # Fulfil with the scanned hand-over URL: keystrokes, then Enter.
    qr = os.path.join(WORK, "handover.png")
    url = sj("qr", "handover", str(w1), "-o", qr, key="res")["url"]
    if "?code=" not in url:
        fail("no hand-over URL: " + url)
    entry = find(app, "text", "交接码（输入或扫描）")
    type_keys(url, "h")
    wait_for(lambda: state(w1) == "fulfilled", "fulfilment from the scan")
    got = sj("wish", "show", str(w1))
    if not got.get("verified"):
        fail("fulfilled but not verified: %s" % got)

    # My shop: edit the listing; the CLI sees it.
    switch(app, "我的店铺")
    # Loaded: the placard the broker rendered names the shop's URL.
    wait_for(lambda: "%s/m/%d" % (BASE, mer) in texts(app),
             "the listing and placard loaded")
    set_text(app, "店名", "阳光面包房（金桥店）")
    set_text(app, "营业时间", "7:30-21:00")
    press(app, "保存店铺信息")
    wait_for(lambda: sj("merchant", "show", str(mer))["name"] ==
             "阳光面包房（金桥店）", "the listing edit in the broker")
    if sj("merchant", "show", str(mer))["hours"] != "7:30-21:00":
        fail("hours not saved")
    time.sleep(0.5)
    screenshot("desk-shop.png")

    # The placard as PDF through the save dialog; zbarimg reads it.
    press(app, "另存为 PDF…")
    # GTK's own file chooser names its button "保存(_S) 保存(S)".
    dlg = wait_for(lambda: find(app, "filler", "保存码牌"), "the save dialog")
    dlg_save = wait_for(lambda: pyatspi.findDescendant(
        dlg, lambda x: x is not None and x.getRoleName() == "push button"
        and (x.name or "").endswith("保存(S)")), "the dialog's Save")
    dlg_save.queryAction().doAction(0)
    pdf = os.path.join(HOME, "placard-%d.pdf" % mer)
    # Written completely once the desk says so.
    wait_for(lambda: "码牌已保存：" + pdf in texts(app), "the PDF placard")
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", pdf,
                    os.path.join(WORK, "placard")], check=True)
    out = subprocess.run(["zbarimg", "--quiet", "--raw",
                          os.path.join(WORK, "placard.png")],
                         capture_output=True).stdout.decode().strip()
    if out != "%s/m/%d" % (BASE, mer):
        fail("placard PDF decodes to %r" % out)
    print("placard PDF decodes to", out)

    # Compacts: the committee drafts one with the shop as a party; it shows
    # up live and the desk signs the current version.
    com = sj("whoami")["id"]
    res = sj("whoami", key="res")["id"]
    cid = sj("compact", "draft", "金桥共建公约", "--from", "2026-01-01",
             "--to", "2027-12-31", "--party", str(com), "--party", str(mer),
             "--party", str(res),
             "--item", "%d:0:周六免费修伞:每周" % mer,
             "--item", "%d:%d:帮店里发传单:每周" % (res, mer),
             "--covenant", "诚信经营，童叟无欺")["id"]
    switch(app, "契约")
    press(app, "签署此版本: 金桥共建公约")
    wait_for(lambda: any(int(g["party_id"]) == mer for g in
                         sj("compact", "show", str(cid)).get("signatures",
                                                             [])),
             "the shop's signature in the broker")
    wait_for(lambda: "你已签署此版本。" in texts(app), "the signature shown")

    # The others sign, the committee publishes; the term has begun, so it
    # is active. The desk records a performance of the shop's own item.
    sj("compact", "sign", str(cid), key="res")
    sj("compact", "sign", str(cid))
    sj("compact", "publish", str(cid))
    wait_for(lambda: str(sj("compact", "show", str(cid))["state"]).lower()
             .endswith("active"), "the compact active")
    set_text(app, "履约备注", "修了三把伞")
    press(app, "记录履约: 金桥共建公约")

    def perf(by, item):
        for p in sj("compact", "show", str(cid)).get("performances", []):
            if int(p["party_id"]) == by and int(p["item_id"]) == item:
                return p
        return None
    got = wait_for(lambda: perf(mer, 1), "the desk's performance in the broker")
    if got.get("note") != "修了三把伞" or got.get("confirmed"):
        fail("the desk's performance: %s" % got)

    # The resident records one of the item she gives the shop: it shows
    # with a Confirm button; the desk confirms; the CLI sees it confirmed
    # by the shop, and the resident's points rise.
    res_before = int(sj("points", "balance", key="res").get("balance", 0))
    sj("compact", "perform", str(cid), "--item", "2", "--note",
       "发了 50 张传单", key="res")
    pid = int(perf(res, 2)["id"])
    confirm = "确认第 %d 次履约: 金桥共建公约" % pid
    wait_for(lambda: find(app, "push button", confirm),
             "the performance awaiting confirmation")
    # The shop's own performance is not its to confirm.
    own = int(got["id"])
    if find(app, "push button", "确认第 %d 次履约: 金桥共建公约" % own):
        fail("the desk offers to confirm its own performance")
    screenshot("desk-compacts.png")
    press(app, confirm)
    done = wait_for(lambda: perf(res, 2).get("confirmed") and perf(res, 2),
                    "the confirmation in the broker")
    if int(done["confirmed_by"]) != mer:
        fail("confirmed by %s, not the shop" % done["confirmed_by"])
    res_after = int(sj("points", "balance", key="res").get("balance", 0))
    if res_after <= res_before:
        fail("the resident's points did not rise: %d -> %d" %
             (res_before, res_after))
    print("performance %d confirmed by the desk; the giver's points %d -> %d"
          % (pid, res_before, res_after))
    wait_for(lambda: not find(app, "push button", confirm),
             "the confirmed performance leaving the list")

    # Points: the resident confirms the verified wish (the shop earns);
    # the shop pays another shop for a listed service, after seeing the
    # price; the ledger moves by exactly that price.
    sj("wish", "confirm", str(w1), "--rating", "5", key="res")
    sj("member", "add", "--role", "merchant", "--name", "Barber",
       "--key-out", os.path.join(KEYS, "mer2.key"))
    mer2 = sj("whoami", key="mer2")["id"]
    sj("merchant", "register", "--name", "老王理发", "--category", "haircut",
       "--service", "理发:5:洗剪吹", key="mer2")
    before = int(sj("points", "balance", key="mer")["balance"])
    if before < 5:
        fail("the confirmed wish earned %d points" % before)
    switch(app, "积分")
    wait_for(lambda: any(t.startswith("余额：%d 积分" % before)
                         for t in texts(app)), "the balance after earning")
    set_text(app, "店铺成员编号", str(mer2))
    set_text(app, "服务", "理发")
    press(app, "支付…")
    ok = wait_for(lambda: pyatspi.findDescendant(
        app, lambda x: x is not None and x.getRoleName() == "push button"
        and (x.name or "").endswith("支付(P)")), "the price to confirm")
    if not any("支付 5 积分给老王理发" in t for t in texts(app)):
        fail("the price was not shown before paying")
    ok.queryAction().doAction(0)
    wait_for(lambda: int(sj("points", "balance", key="mer")["balance"]) ==
             before - 5, "the payment in the ledger")
    if int(sj("points", "balance", key="mer2").get("received", 0)) != 5:
        fail("the other shop did not receive 5 points")
    wait_for(lambda: any(t.startswith("余额：%d 积分" % (before - 5))
                         for t in texts(app)), "the balance after paying")
    screenshot("desk-points.png")

    # Larger text, remembered.
    press(app, "大字")
    wait_for(lambda: "large-text=true" in open(ini).read(),
             "the larger-text setting remembered")
    screenshot("desk-large-text.png")
    press(app, "大字")
    switch(app, "心愿墙")

    # 2. Offline: the banner within 5 s; an action is refused visibly.
    banner_text = "离线：无法连接服务器"
    # Timed on the header's link label (one D-Bus call a poll).
    link = find(app, "label", "已连接")
    if not link:
        fail("the header does not say connected")
    stop("broker")
    t0 = time.monotonic()
    wait_for(lambda: link.name.startswith("离线"), "offline in the header",
             timeout=5)
    print("offline shown %.1f s after the broker stopped" %
          (time.monotonic() - t0))
    wait_for(lambda: find(app, "label", prefix=banner_text),
             "the offline banner")
    time.sleep(0.3)
    screenshot("desk-offline.png")
    press(app, "认领“学做月饼”")
    wait_for(lambda: find(app, "label", prefix="离线：操作未发送"),
             "the visible refusal")
    # Freeze the desk while the broker comes back and things happen, so
    # they are missed live and must come through catch-up.
    PROCS["desk"].send_signal(signal.SIGSTOP)
    broker_start()
    if state(w2) != "open":
        fail("the refused offline claim reached the broker")
    w4 = sj("wish", "post", "陪老人散步", "--category", "care",
            key="res2")["id"]
    w5 = sj("wish", "post", "借用梯子", "--category", "repair",
            key="res")["id"]
    sj("wish", "cancel", str(w3), key="res")
    PROCS["desk"].send_signal(signal.SIGCONT)
    t0 = time.monotonic()
    # (positively: connected in the header, as a dead desk shows no banner)
    wait_for(lambda: link.name.startswith("已连接") and
             not find(app, "label", prefix=banner_text),
             "the banner clearing", 15)
    for title in ("陪老人散步", "借用梯子"):
        wait_for(lambda: find(app, "push button", "认领“%s”" % title),
                 "caught-up wish " + title)
    wait_for(lambda: not find(app, "push button", "认领“修理收音机”"),
             "the cancelled wish leaving")
    print("caught up %.1f s after the desk resumed" % (time.monotonic() - t0))
    time.sleep(1.5)  # let any duplicate show up
    for title in ("陪老人散步", "借用梯子", "学做月饼"):
        n = len(find_all(app, "push button", "认领“%s”" % title))
        if n != 1:
            fail("%s shown %d times" % (title, n))
    open_ids = {w["id"] for w in sj("wish", "list", "--state", "open",
                                    key="mer")["items"]}
    if open_ids != {w2, w4, w5}:
        fail("broker's open wishes %s" % open_ids)

    # Filters: by category, then by building.
    set_text(app, "类别", "repair")
    wait_for(lambda: not find(app, "push button", "认领“学做月饼”"),
             "the category filter")
    if not find(app, "push button", "认领“借用梯子”"):
        fail("the filter hid a repair wish")
    set_text(app, "类别", "")
    set_text(app, "楼栋", "5号")
    wait_for(lambda: not find(app, "push button", "认领“借用梯子”"),
             "the building filter")
    for title in ("学做月饼", "陪老人散步"):
        if not find(app, "push button", "认领“%s”" % title):
            fail("the building filter hid " + title)
    set_text(app, "楼栋", "")

    # 3. Languages: English in a second window with the same settings.
    en = desk_start("desk_en", "en")
    wait_for(lambda: find(en, "page tab", "Wish board"),
             "the English view switcher")
    wait_for(lambda: find(en, "push button", "Claim “借用梯子”"),
             "an English Claim button")
    if find(en, "page tab", "心愿墙"):
        fail("Chinese in the English window")
    if not find(app, "page tab", "心愿墙"):
        fail("no Chinese in the Chinese window")
    stop("desk_en")
    stop("desk")
    print("it_desk: all checks passed")


if __name__ == "__main__":
    rc = 0
    try:
        main()
    except Exception as e:
        import traceback
        traceback.print_exc()
        print("FAIL:", e, file=sys.stderr)
        rc = 1
    finally:
        for name in list(PROCS):
            if rc and PROCS[name].poll() is not None:  # died: how
                print("---- %s exited %s" % (name, PROCS[name].returncode),
                      file=sys.stderr)
            try:
                PROCS[name].send_signal(signal.SIGCONT)
                PROCS[name].kill()
                PROCS[name].wait(timeout=10)
            except Exception:
                pass
        if rc:
            for name in ("desk", "broker", "desk_en"):
                p = os.path.join(WORK, name + ".log")
                if os.path.exists(p):
                    print("---- %s log ----" % name, file=sys.stderr)
                    print(open(p, errors="replace").read()[-3000:],
                          file=sys.stderr)
        if not os.environ.get("IT_KEEP"):
            shutil.rmtree(WORK, ignore_errors=True)
    sys.exit(rc)
