#!/usr/bin/python3
"""A real browser on the public pages (issue 10, acceptance 4): headless
Chromium driven by Selenium, emulating a 390x844 phone, renders /, /m/ID,
/w/ID and /c/ID of the demo community (plus a published compact) and
checks on each: <html lang> is zh-Hans, the Chinese text is there, the
body font is at least 18 px, a tap target is at least 44x44 px, nothing
overflows sideways at 390 px nor at 320 px (WCAG reflow). Screenshots go
to $SJ_SCREENSHOTS when set (docs/screenshots/ is made that way: see
README), else to the work directory.

Usage: it_web_browser.py BROKER CLI IT_TOOL WEB
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

try:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
except ImportError:
    sys.exit("FAIL: python3-selenium is not installed (make deps)")
for tool in ("/usr/bin/chromium", "/usr/bin/chromedriver"):
    if not os.path.exists(tool):
        sys.exit("FAIL: %s is missing (make deps installs chromium and "
                 "chromium-driver)" % tool)

BROKER, CLI, IT_TOOL, WEB = sys.argv[1:5]
WORK = tempfile.mkdtemp(prefix="sj-it-browser.")
DATA = os.path.join(WORK, "data")
SHOTS = os.environ.get("SJ_SCREENSHOTS") or WORK
PROCS = {}


def fail(msg):
    raise AssertionError(msg)


def port():
    return int(subprocess.check_output([IT_TOOL, "port"]).strip())


REQ = "tcp://127.0.0.1:%d" % port()
EV = "tcp://127.0.0.1:%d" % port()
HTTP = port()
BASE = "http://127.0.0.1:%d" % HTTP


def start(name, argv):
    log = open(os.path.join(WORK, name + ".log"), "ab")
    PROCS[name] = subprocess.Popen(argv, stdout=log, stderr=log)


def sj(*args, key=None):
    argv = [CLI, "--data", DATA, "--requests", REQ, "--events", EV, "--json"]
    if key:
        argv += ["--key", os.path.join(DATA, "demo", key + ".key")]
    r = subprocess.run(argv + list(args), capture_output=True, text=True)
    if r.returncode != 0:
        fail("shangju %s: %s" % (" ".join(args), r.stderr))
    import json
    return json.loads(r.stdout)


def wait_http(path):
    for _ in range(100):
        try:
            with urllib.request.urlopen(BASE + path, timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    fail("web front not answering " + path)


def seed():
    # a start refuses an uninitialised directory: init it explicitly once
    if not os.path.exists(os.path.join(DATA, "data.mdb")):
        subprocess.run([BROKER, "init", "--data", DATA] + ["--demo"], check=True,
                       stdout=subprocess.DEVNULL)
    start("broker", [BROKER, "--data", DATA, "--requests", REQ, "--events",
                     EV, "--demo", "--public-url", BASE])
    for _ in range(100):
        if subprocess.run([CLI, "--data", DATA, "--requests", REQ, "--events",
                           EV, "--timeout", "300", "ping"],
                          capture_output=True).returncode == 0:
            break
        time.sleep(0.1)
    listings = sj("merchant", "list")["items"]
    bakery = [x for x in listings if x["category"] == "bakery"][0]
    mer = int(bakery["merchant_id"])
    com = int(sj("whoami")["id"])
    wishes = sj("wish", "list")["items"]
    wish = int([w for w in wishes if w.get("claim")][0]["id"])
    cp = sj("compact", "draft", "[DEMO] 中秋助老公约 Mid-Autumn compact",
            "--from", time.strftime("%Y-%m-%d", time.gmtime()),
            "--to", "2035-12-31", "--party", str(com), "--party", str(mer),
            "--item", "%d:0:每月一次亲子烘焙课 A family baking class:每月"
            % mer, "--covenant", "守信、守时，服务热情。")["id"]
    sj("compact", "sign", str(cp))
    sj("compact", "sign", str(cp), key="merchant-bakery")
    sj("compact", "publish", str(cp))
    start("web", [WEB, "--data", DATA, "--requests", REQ, "--events", EV,
                  "--listen", "127.0.0.1:%d" % HTTP])
    wait_http("/")
    return mer, wish, int(cp)


def browser(width):
    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu",
              "--disable-dev-shm-usage", "--lang=zh-CN"):
        o.add_argument(a)
    # A phone set to Chinese, as most passers-by's are.
    o.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    o.add_experimental_option("mobileEmulation", {
        "deviceMetrics": {"width": width, "height": 844, "pixelRatio": 2},
        "userAgent": "Mozilla/5.0 (Linux; Android 13) Mobile"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"),
                            options=o)


def check_page(d, path, want, shot):
    d.get(BASE + path)
    lang = d.execute_script("return document.documentElement.lang")
    if lang != "zh-Hans":
        fail("%s: lang %r" % (path, lang))
    text = d.find_element(By.TAG_NAME, "body").text
    if want not in text:
        fail("%s: %r not visible" % (path, want))
    px = float(d.execute_script(
        "return parseFloat(getComputedStyle(document.body).fontSize)"))
    if px < 18:
        fail("%s: body font %.1f px" % (path, px))
    # The language switch is on every page: a tap target.
    r = d.find_element(By.CSS_SELECTOR, "header a.lang").rect
    if r["height"] < 44 or r["width"] < 44:
        fail("%s: tap target %sx%s" % (path, r["width"], r["height"]))
    over = d.execute_script(
        "return document.documentElement.scrollWidth - window.innerWidth")
    if over > 0:
        fail("%s: %d px of sideways scrolling" % (path, over))
    if shot:
        d.save_screenshot(os.path.join(SHOTS, shot))
    print("%s: lang=%s font=%.0fpx tap=%dx%d" % (path, lang, px, r["width"],
                                                 r["height"]))


def main():
    mer, wish, cp = seed()
    pages = [("/", "社区心愿墙", "board.png"),
             ("/m/%d" % mer, "本店特色", "merchant.png"),
             ("/w/%d" % wish, "已有商户认领", "wish.png"),
             ("/c/%d" % cp, "中秋助老公约", "compact.png")]
    d = browser(390)
    try:
        for path, want, shot in pages:
            check_page(d, path, want, shot)
        # A call button on the merchant page is a big tap target too.
        d.get(BASE + "/m/%d" % mer)
        r = d.find_element(By.CSS_SELECTOR, "a.call").rect
        if r["height"] < 44:
            fail("call button %s px high" % r["height"])
    finally:
        d.quit()
    d = browser(320)
    try:
        for path, want, _ in pages:
            check_page(d, path, want, None)
    finally:
        d.quit()
    print("it_web_browser: all checks passed")


try:
    main()
    rc = 0
except AssertionError as e:
    print("FAIL:", e)
    rc = 1
finally:
    for p in PROCS.values():
        p.send_signal(signal.SIGKILL)
        p.wait()
if rc == 0:
    shutil.rmtree(WORK, ignore_errors=True)
else:
    print("logs in", WORK)
sys.exit(rc)
