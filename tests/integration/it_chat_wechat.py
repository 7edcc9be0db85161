#!/usr/bin/python3
"""Integration (issue 14, acceptance 2 and 3): the chat bridge's WeChat
Official Account and WeCom transports against a stand-in for the platform
written here from the published protocol, a real broker and the `shangju`
CLI.

The stand-in signs and encrypts callbacks (safe mode), gives up on a
callback after 5 s and retries it up to three times in all as WeChat does,
and serves on loopback the access-token endpoints (stable_token, WeCom
gettoken), the customer-service API (with the 48-hour window and 45015),
WeCom's message/send and a WeCom group robot webhook (errcode 130101 once).

Checked: the URL check; a linked resident posts by text and by voice and
gets a passive reply in Chinese; a retried MsgId posts once, across a
restart too; a bad signature, a stale timestamp and a wrong AppId change
nothing; a claim made with the CLI arrives as a customer-service message;
with the broker stopped past 5 s the resident gets `success` and then the
answer by customer-service message; outside the window a notice waits and
comes with the reply to the resident's next message; one token fetch for
all of it; `unsubscribe` unlinks; the WeCom application (encrypted URL
check, encrypted messages, gettoken + message/send); the robot never gets
more than 20 in a minute and delivers everything after backing off, and
what it had queued when the bridge stopped goes out after the restart,
each once.

Usage: it_chat_wechat.py BROKER CLI IT_TOOL CHAT
"""
import json
import os
import signal
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from it_chatlib import World, WxCrypt, fail, sha1_sorted, wait_until  # noqa

BROKER, CLI, IT_TOOL, CHAT = sys.argv[1:5]
W = World(BROKER, CLI, IT_TOOL, "sj-it-wechat.")

TOKEN = "shangjuToken2026"
AESKEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
APPID = "wx5a6b7c8d9e0f1a2b"
SECRET = "oa-app-secret"
ACCOUNT = "gh_0123456789ab"
CORPID = "ww1122334455667788"
CORP_SECRET = "corp-app-secret"
AGENTID = 1000002
HOOK_KEY = "robot-key-693a91f6"


# --------------------------------------------------- the platform's APIs
class Platform:
    def __init__(self):
        self.lock = threading.Lock()
        self.token_calls = {"stable_token": 0, "gettoken": 0}
        self.cs = []          # (openid, content) delivered
        self.cs_refused = []  # (openid, content) answered 45015
        self.wecom = []       # (userid, agentid, content)
        self.robot = []       # (monotonic time, content, errcode)
        self.window = {}      # openid -> [last_in wall s, sent since]
        self.refuse_robot_at = 5  # the 5th robot message gets 130101


P = Platform()


class Api(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def answer(self, obj):
        body = json.dumps(obj).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length", "0"))
        return json.loads(self.rfile.read(n) or b"{}")

    def do_GET(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        if u.path == "/cgi-bin/gettoken":
            with P.lock:
                P.token_calls["gettoken"] += 1
            if q.get("corpid") == [CORPID] and \
                    q.get("corpsecret") == [CORP_SECRET]:
                return self.answer({"errcode": 0, "errmsg": "ok",
                                    "access_token": "WECOM-TOKEN",
                                    "expires_in": 7200})
            return self.answer({"errcode": 40013, "errmsg": "invalid corpid"})
        self.send_error(404)

    def do_POST(self):
        u = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(u.query)
        b = self.body()
        if u.path == "/cgi-bin/stable_token":
            with P.lock:
                P.token_calls["stable_token"] += 1
            if b.get("appid") == APPID and b.get("secret") == SECRET and \
                    b.get("grant_type") == "client_credential":
                return self.answer({"access_token": "OA-TOKEN",
                                    "expires_in": 7200})
            return self.answer({"errcode": 40125, "errmsg": "bad secret"})
        if u.path == "/cgi-bin/message/custom/send":
            if q.get("access_token") != ["OA-TOKEN"]:
                return self.answer({"errcode": 40001, "errmsg": "token"})
            who, text = b["touser"], b["text"]["content"]
            with P.lock:
                w = P.window.get(who)
                if not w or time.time() - w[0] > 48 * 3600 or w[1] >= 5:
                    P.cs_refused.append((who, text))
                    return self.answer({"errcode": 45015,
                                        "errmsg": "response out of time "
                                                  "limit or subscription "
                                                  "is canceled"})
                w[1] += 1
                P.cs.append((who, text))
            return self.answer({"errcode": 0, "errmsg": "ok"})
        if u.path == "/cgi-bin/message/send":
            if q.get("access_token") != ["WECOM-TOKEN"]:
                return self.answer({"errcode": 40014, "errmsg": "token"})
            with P.lock:
                P.wecom.append((b["touser"], b.get("agentid"),
                                b["text"]["content"]))
            return self.answer({"errcode": 0, "errmsg": "ok"})
        if u.path == "/cgi-bin/webhook/send":
            if q.get("key") != [HOOK_KEY]:
                return self.answer({"errcode": 93000, "errmsg": "bad key"})
            with P.lock:
                code = 130101 if len(P.robot) + 1 == P.refuse_robot_at else 0
                P.robot.append((time.monotonic(), b["text"]["content"], code))
            return self.answer({"errcode": code, "errmsg": "freq" if code
                                else "ok"})
        self.send_error(404)


API_PORT = W.free_port()
API = ThreadingHTTPServer(("127.0.0.1", API_PORT), Api)
threading.Thread(target=API.serve_forever, daemon=True).start()


# ------------------------------------------------ the platform's callbacks
class Account:
    """What WeChat (or WeCom) does towards the bridge's callback URL."""

    def __init__(self, port, crypt, wecom=False):
        self.url = "http://127.0.0.1:%d/wechat" % port
        self.crypt, self.wecom = crypt, wecom
        self.msgid = 7100000000000000000

    def _post(self, xml_body, ts=None, sign_ok=True, encrypt_for=None,
              tries=3):
        ts = str(int(time.time()) if ts is None else ts)
        nonce = str(int(time.monotonic() * 1e6) % 10 ** 9)
        q = {"timestamp": ts, "nonce": nonce}
        if not self.wecom:
            q["signature"] = sha1_sorted(TOKEN, ts, nonce)
            if not sign_ok:
                q["signature"] = "0" * 40
        if self.crypt is None:  # plaintext mode: the XML as it is
            body = xml_body
        else:
            enc = self.crypt.encrypt(xml_body, appid=encrypt_for)
            to = CORPID if self.wecom else ACCOUNT
            body = "<xml><ToUserName><![CDATA[%s]]></ToUserName><Encrypt>" \
                   "<![CDATA[%s]]></Encrypt></xml>" % (to, enc)
            q["encrypt_type"] = "aes"
            q["msg_signature"] = sha1_sorted(TOKEN, ts, nonce, enc)
        if self.wecom and not sign_ok:
            q["msg_signature"] = "0" * 40
        url = self.url + "?" + urllib.parse.urlencode(q)
        # WeChat gives up after 5 s and tries again, three tries in all.
        for attempt in range(tries):
            t0 = time.monotonic()
            try:
                req = urllib.request.Request(url, data=body.encode(),
                                             method="POST")
                with urllib.request.urlopen(req, timeout=5) as r:
                    return r.status, r.read().decode(), \
                        time.monotonic() - t0
            except urllib.error.HTTPError as e:
                return e.code, e.read().decode(), time.monotonic() - t0
            except (TimeoutError, OSError) as e:
                if "timed out" not in str(e):
                    raise
                print("  platform: no answer in 5 s, retry %d" % (attempt + 1))
        return None, "", 5.0

    def send(self, openid, inner, **kw):
        with P.lock:  # the user wrote: their window opens again
            P.window[openid] = [time.time(), 0]
        return self._post(inner, **kw)

    def text(self, openid, content, msgid=None, **kw):
        self.msgid += 1
        mid = msgid or self.msgid
        inner = ("<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName>"
                 "<![CDATA[%s]]></FromUserName><CreateTime>%d</CreateTime>"
                 "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]>"
                 "</Content><MsgId>%d</MsgId>%s</xml>") % (
            CORPID if self.wecom else ACCOUNT, openid, int(time.time()),
            content, mid,
            "<AgentID>%d</AgentID>" % AGENTID if self.wecom else "")
        return self.send(openid, inner, **kw) + (mid,)

    def voice(self, openid, recognised):
        self.msgid += 1
        inner = ("<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName>"
                 "<![CDATA[%s]]></FromUserName><CreateTime>%d</CreateTime>"
                 "<MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[m1]]>"
                 "</MediaId><Format><![CDATA[amr]]></Format><Recognition>"
                 "<![CDATA[%s]]></Recognition><MsgId>%d</MsgId></xml>") % (
            ACCOUNT, openid, int(time.time()), recognised, self.msgid)
        return self.send(openid, inner)

    def event(self, openid, event, key=""):
        inner = ("<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName>"
                 "<![CDATA[%s]]></FromUserName><CreateTime>%d</CreateTime>"
                 "<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[%s]]>"
                 "</Event><EventKey><![CDATA[%s]]></EventKey></xml>") % (
            ACCOUNT, openid, int(time.time()), event, key)
        return self.send(openid, inner)

    def passive(self, body, openid):
        """The text of an encrypted passive reply (checks its signature)."""
        if self.crypt is None:
            msg = ET.fromstring(body)
            if msg.findtext("ToUserName") != openid:
                fail("plain reply to the wrong user: %s" % body)
            return msg.findtext("Content")
        env = ET.fromstring(body)
        enc = env.findtext("Encrypt")
        if sha1_sorted(TOKEN, env.findtext("TimeStamp"), env.findtext("Nonce"),
                       enc) != env.findtext("MsgSignature"):
            fail("passive reply with a bad MsgSignature")
        msg = ET.fromstring(self.crypt.decrypt(enc))
        if msg.findtext("ToUserName") != openid or \
                msg.findtext("MsgType") != "text":
            fail("passive reply to the wrong user: %s" % body)
        return msg.findtext("Content")

    def url_check(self, echostr, sign_ok=True):
        ts, nonce = str(int(time.time())), "1234567"
        if self.wecom:
            q = {"msg_signature": sha1_sorted(TOKEN, ts, nonce, echostr)}
        else:
            q = {"signature": sha1_sorted(TOKEN, ts, nonce)}
        if not sign_ok:
            q = {k: "f" * 40 for k in q}
        q.update(timestamp=ts, nonce=nonce, echostr=echostr)
        try:
            with urllib.request.urlopen(self.url + "?" +
                                        urllib.parse.urlencode(q),
                                        timeout=5) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, ""


def bridge_start(name, port, extra, aes=True):
    for f, v in (("token", TOKEN), ("aeskey", AESKEY), ("secret", SECRET),
                 ("corpsecret", CORP_SECRET),
                 ("webhook", "http://127.0.0.1:%d/cgi-bin/webhook/send?key=%s"
                  % (API_PORT, HOOK_KEY))):
        with open(W.path(f), "w") as fh:
            fh.write(v + "\n")
    log = W.path(name + ".log")
    seen = os.path.getsize(log) if os.path.exists(log) else 0
    W.start(name, [CHAT, "--data", W.data, "--key", W.key(name),
                   "--requests", W.req, "--events", W.ev, "--timeout", "4000",
                   "--wechat-listen", "127.0.0.1:%d" % port,
                   "--wechat-token-file", W.path("token"),
                   "--wechat-api", "http://127.0.0.1:%d" % API_PORT,
                   "--wechat-state", W.path(name + "-state")] +
            (["--wechat-aes-key-file", W.path("aeskey")] if aes else []) +
            extra,
            env=dict(os.environ, LANG="C.UTF-8", LANGUAGE="zh_CN"))
    wait_until(lambda: "event=listening" in W.log_of(name)[seen:],
               name + " up", 10)
    wait_until(lambda: "event=subscribed" in W.log_of(name)[seen:],
               name + " subscribed", 10)


def oa_start():
    bridge_start("oa", OA_PORT, ["--wechat-appid", APPID,
                                 "--wechat-secret-file", W.path("secret"),
                                 "--wecom-webhook-file", W.path("webhook"),
                                 "--wecom-webhook-interval-ms", "150",
                                 "--wecom-webhook-backoff-ms", "2000"])


OA_PORT = W.free_port()
WC_PORT = W.free_port()
PL_PORT = W.free_port()


def main():
    W.broker_start()
    oa_id = W.sj("member", "add", "--role", "bridge", "--name", "WeChat OA",
                 "--key-out", W.key("oa"))["id"]
    wc_id = W.sj("member", "add", "--role", "bridge", "--name", "WeCom app",
                 "--key-out", W.key("wc"))["id"]
    res = W.sj("member", "add", "--role", "resident", "--name",
               "Grandma Wang", "--building", "B3", "--contact",
               "138-0000-1111", "--key-out", W.key("res"))["id"]
    res2 = W.sj("member", "add", "--role", "resident", "--name", "Mr Li",
                "--building", "B5", "--key-out", W.key("res2"))["id"]
    W.sj("member", "add", "--role", "merchant", "--name", "Golden Bakery",
         "--contact", "139-9999-0000", "--key-out", W.key("m"))
    AUNTIE = "oAUNTIE_wang_openid_0000000"
    W.sj("member", "link", str(res), "--chat", AUNTIE, "--bridge", str(oa_id))
    oa_start()
    wx = Account(OA_PORT, WxCrypt(TOKEN, AESKEY, APPID))

    # --- the URL check
    st, body = wx.url_check("echo-8431")
    if (st, body) != (200, "echo-8431"):
        fail("URL check: %s %r" % (st, body))
    if wx.url_check("echo-8431", sign_ok=False)[0] != 403:
        fail("URL check with a bad signature accepted")

    # --- subscribe: a welcome that says how to join
    st, body, _ = wx.event(AUNTIE, "subscribe")
    welcome = wx.passive(body, AUNTIE)
    if st != 200 or "居委会" not in welcome:
        fail("welcome: %r" % welcome)
    print("welcome:", welcome)

    # --- a wish by text, a passive reply in Chinese
    st, body, took, mid = wx.text(AUNTIE, "心愿 想学做月饼")
    reply = wx.passive(body, AUNTIE)
    if "已发布" not in reply:
        fail("text wish reply: %r" % reply)
    print("passive reply after %.0f ms: %s" % (took * 1e3, reply))
    # --- and by voice, through the recognised text
    st, body, _ = wx.voice(AUNTIE, "心愿 帮忙修自行车")
    if "已发布" not in wx.passive(body, AUNTIE):
        fail("voice wish")
    titles = sorted(w["title"] for w in W.wishes())
    if titles != ["帮忙修自行车", "想学做月饼"]:
        fail("wishes: %s" % titles)

    # --- a retried MsgId posts once
    st, body, _, _ = wx.text(AUNTIE, "心愿 想学做月饼", msgid=mid)
    if (st, body) != (200, "success") or len(W.wishes()) != 2:
        fail("a retried MsgId: %s %r, %d wishes" % (st, body,
                                                   len(W.wishes())))

    # --- bad signature, stale timestamp, wrong AppId: refused, no change
    for kw, why in (({"sign_ok": False}, "bad_signature"),
                    ({"ts": int(time.time()) - 3600}, "stale_timestamp"),
                    ({"encrypt_for": "wx0000000000000000"}, "wrong_appid")):
        st, body, _, _ = wx.text(AUNTIE, "心愿 不该发布", **kw)
        if st != 403:
            fail("%s answered %s" % (why, st))
        if "reason=" + why not in W.log_of("oa"):
            fail("%s not logged" % why)
    if len(W.wishes()) != 2:
        fail("a refused callback posted")

    # --- a claim with the CLI reaches the resident by customer service
    w1 = [w for w in W.wishes() if w["title"] == "想学做月饼"][0]["id"]
    W.sj("wish", "claim", str(w1), key="m")
    t0 = time.monotonic()
    wait_until(lambda: any("Golden Bakery认领" in c for _, c in P.cs),
               "claim by customer-service message", 5)
    print("claim notice by customer service after %.0f ms" %
          ((time.monotonic() - t0) * 1e3))
    if any(who != AUNTIE for who, _ in P.cs) or \
            any("139-9999" in c or "138-0000" in c for _, c in P.cs):
        fail("customer-service messages: %s" % P.cs)

    # --- the broker slow past 5 s: success at once, the answer later
    before = len(P.cs)
    W.procs["broker"].send_signal(signal.SIGSTOP)
    try:
        st, body, took, _ = wx.text(AUNTIE, "心愿 帮我取快递")
        if (st, body) != (200, "success") or took > 5:
            fail("slow broker: %s %r after %.1f s" % (st, body, took))
        time.sleep(6.0 - took)
    finally:
        W.procs["broker"].send_signal(signal.SIGCONT)
    wait_until(lambda: any("已发布" in c for _, c in P.cs[before:]),
               "the late answer by customer service", 15)
    print("slow broker: success after %.1f s, the answer by customer "
          "service" % took)
    if sum(w["title"] == "帮我取快递" for w in W.wishes()) != 1:
        fail("the slow wish is not there once")

    # --- outside the 48-hour window: waits, then comes with the next reply
    with P.lock:
        P.window[AUNTIE] = [time.time() - 49 * 3600, 0]
    W.sj("wish", "fulfil", str(w1), key="m")
    wait_until(lambda: any(str(w1) in c for _, c in P.cs_refused),
               "45015 for the fulfil notice", 5)
    time.sleep(1.0)
    if any("完成" in c or "谢谢 %d" % w1 in c for _, c in P.cs[before:]
           if str(w1) in c and "认领" not in c):
        fail("delivered outside the window")
    st, body, _, _ = wx.text(AUNTIE, "我的")
    reply = wx.passive(body, AUNTIE)
    if "您不在时" not in reply or "谢谢 %d" % w1 not in reply:
        fail("the waiting notice did not come with the reply: %r" % reply)
    print("after the window closed, the reply carried: %s" %
          reply[reply.index("您不在时"):].replace("\n", " / "))
    time.sleep(1.0)
    if sum("谢谢 %d" % w1 in c for _, c in P.cs) != 0:
        fail("the waiting notice was sent twice")

    # --- a restart: a handled MsgId is still handled once
    if W.stop("oa") != 0:
        fail("the bridge did not stop cleanly")
    oa_start()
    st, body, _, _ = wx.text(AUNTIE, "心愿 想学做月饼", msgid=mid)
    if (st, body) != (200, "success") or len(W.wishes()) != 3:
        fail("a MsgId retried across a restart: %r" % body)

    # --- one token fetch for all of it (two processes: two holders)
    if P.token_calls["stable_token"] > 2:
        fail("token fetched %d times" % P.token_calls["stable_token"])

    # --- the robot: announcements paced under 20 a minute, 130101 handled
    ids = [W.sj("wish", "post", "Robot %02d" % i, "--for", str(res))["id"]
           for i in range(22)]
    # --- a restart with announcements queued (the robot waits out its
    # minute): they are on disk, and go out after it, each once
    wait_until(lambda: len(P.robot) >= 20, "20 robot sends", 30)
    if W.stop("oa") != 0:
        fail("the bridge did not stop cleanly with the robot's queue full")
    with P.lock:
        queued = [k for k in range(22)
                  if not any("Robot %02d" % k in c
                             for _, c, e in P.robot if e == 0)]
    if not queued:
        fail("nothing left for the robot at the stop")
    oa_start()
    print("robot: stopped with %d announcements queued, restarted" %
          len(queued))
    wait_until(lambda: sum(c.startswith("新心愿") or "Robot" in c
                           for _, c, e in P.robot if e == 0) >= 25,
               "every announcement", 100)
    with P.lock:
        times = [t for t, _, _ in P.robot]
        codes = [e for _, _, e in P.robot]
    worst = max(sum(1 for u in times if t <= u < t + 60) for t in times)
    if worst > 20:
        fail("%d robot messages within a minute" % worst)
    i = codes.index(130101)
    if times[i + 1] - times[i] < 2.0:
        fail("no back-off after 130101")
    delivered = [c for _, c, e in P.robot if e == 0]
    for k in range(22):
        if sum("Robot %02d" % k in c for c in delivered) != 1:
            fail("robot: Robot %02d delivered %d times" %
                 (k, sum("Robot %02d" % k in c for c in delivered)))
    if any("138-0000" in c or "Grandma" in c for c in delivered):
        fail("the robot saw a resident's contact or name")
    print("robot: %d delivered, at most %d in a minute, back-off %.1f s "
          "after 130101" % (len(delivered), worst, times[i + 1] - times[i]))

    # --- unsubscribe: unlinked, and what the bridge held is gone
    st, body, _ = wx.event(AUNTIE, "unsubscribe")
    if (st, body) != (200, "success"):
        fail("unsubscribe answered %r" % body)
    wait_until(lambda: W.sj("member", "show", str(res)).get("chat_handle", "") == "",
               "unlinked", 10)
    wait_until(lambda: not [f for f in os.listdir(W.path("oa-state"))
                            if f.endswith(".json")], "state deleted", 5)
    st, body, _, _ = wx.text(AUNTIE, "心愿 还能发吗")
    if "还没有登记" not in wx.passive(body, AUNTIE):
        fail("an unlinked follower was not refused: %r" %
             wx.passive(body, AUNTIE))

    # --- the WeCom application: encrypted URL check, messages, message/send
    W.sj("member", "link", str(res2), "--chat", "LiWei", "--bridge",
         str(wc_id))
    bridge_start("wc", WC_PORT, ["--wecom-corpid", CORPID, "--wecom-agentid",
                                 str(AGENTID), "--wecom-secret-file",
                                 W.path("corpsecret")])
    wc = Account(WC_PORT, WxCrypt(TOKEN, AESKEY, CORPID), wecom=True)
    st, body = wc.url_check(wc.crypt.encrypt("wecom-echo-5521"))
    if (st, body) != (200, "wecom-echo-5521"):
        fail("WeCom URL check: %s %r" % (st, body))
    if wc.url_check(wc.crypt.encrypt("x"), sign_ok=False)[0] != 403:
        fail("WeCom URL check with a bad signature accepted")
    st, body, _, _ = wc.text("LiWei", "心愿 想找人下象棋")
    if "已发布" not in wc.passive(body, "LiWei"):
        fail("WeCom passive reply")
    w2 = [w for w in W.wishes() if w["title"] == "想找人下象棋"][0]
    if w2["owner_id"] != res2:
        fail("WeCom wish owner")
    W.sj("wish", "claim", str(w2["id"]), key="m")
    wait_until(lambda: any(u == "LiWei" and a == AGENTID and "认领" in c
                           for u, a, c in P.wecom), "WeCom message/send", 5)
    if P.token_calls["gettoken"] != 1:
        fail("gettoken called %d times" % P.token_calls["gettoken"])
    st, body, _, _ = wc.text("LiWei", "心愿 x", sign_ok=False)
    if st != 403:
        fail("WeCom bad signature answered %s" % st)

    # --- the Official Account in plaintext mode (no EncodingAESKey)
    pl_id = W.sj("member", "add", "--role", "bridge", "--name", "Plain OA",
                 "--key-out", W.key("pl"))["id"]
    W.sj("member", "link", str(res), "--chat", "oPLAIN_wang", "--bridge",
         str(pl_id))
    bridge_start("pl", PL_PORT, [], aes=False)
    pl = Account(PL_PORT, None)
    n = len(W.wishes())
    st, body, _, mid = pl.text("oPLAIN_wang", "心愿 明文模式的心愿")
    if st != 200 or "已发布" not in pl.passive(body, "oPLAIN_wang"):
        fail("plaintext mode: %s %r" % (st, body))
    st, body, _, _ = pl.text("oPLAIN_wang", "心愿 明文模式的心愿", msgid=mid)
    st2, _, _, _ = pl.text("oPLAIN_wang", "心愿 伪造", sign_ok=False)
    if (st, body, st2) != (200, "success", 403) or \
            len(W.wishes()) != n + 1:
        fail("plaintext mode: retry %r, bad signature %s" % (body, st2))

    for name in ("oa", "wc", "pl"):
        if W.stop(name) != 0:
            fail(name + " did not stop cleanly")
    print("PASS it_chat_wechat")


try:
    main()
except BaseException:
    for name, p in W.procs.items():
        sys.stderr.write("---- %s: exit %s\n" % (name, p.poll()))
    for name in ("oa", "wc", "pl", "broker"):
        if os.path.exists(W.path(name + ".log")):
            sys.stderr.write("---- %s.log (tail)\n" % name)
            sys.stderr.write(W.log_of(name)[-4000:])
    raise
finally:
    W.stop_all()
    API.shutdown()
