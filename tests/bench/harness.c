/* The real-process harness of harness.h: fork/exec of shangju-broker on a
 * temp data directory, readiness by Ping, kill and reap, and resident
 * registration through the committee key. */
#define _GNU_SOURCE /* nftw FTW_DEPTH|FTW_PHYS */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int64_t harness_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void harness_sleep_ms(int64_t ms)
{
    struct timespec ts = {.tv_sec = ms / 1000,
                          .tv_nsec = (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int harness_tmpdir(char *buf, size_t cap, const char *prefix)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    int n = snprintf(buf, cap, "%s/%sXXXXXX", tmp, prefix);
    if (n < 0 || (size_t)n >= cap) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return mkdtemp(buf) ? 0 : -1;
}

static int rm_one(const char *path, const struct stat *st, int flag,
                  struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int harness_rmtree(const char *dir)
{
    return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static bool port_free(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bool ok = bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    close(fd);
    return ok;
}

int harness_free_ports(int count)
{
    for (int attempt = 0; attempt < 200; attempt++) {
        uint32_t r;
        if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r)
            r = (uint32_t)getpid() * 7919u + (uint32_t)attempt;
        int base = 20000 + (int)(r % (20000u - (unsigned)count));
        int i = 0;
        while (i < count && port_free(base + i))
            i++;
        if (i == count)
            return base;
    }
    return -1;
}

static int path_join(char *buf, const char *dir, const char *name)
{
    int n = snprintf(buf, HARNESS_PATH, "%s/%s", dir, name);
    return n < 0 || n >= HARNESS_PATH ? -1 : 0;
}

int harness_broker_init(harness_broker_t *b, const char *broker_path,
                        const char *log_level)
{
    memset(b, 0, sizeof *b);
    b->log_level = log_level;
    if (snprintf(b->broker_path, sizeof b->broker_path, "%s", broker_path) >=
        (int)sizeof b->broker_path)
        goto toolong;
    if (access(broker_path, X_OK) != 0) {
        fprintf(stderr, "harness: cannot run broker %s: %s\n", broker_path,
                strerror(errno));
        return -1;
    }
    if (harness_tmpdir(b->root, sizeof b->root, "shangju-h-") != 0) {
        fprintf(stderr, "harness: mkdtemp: %s\n", strerror(errno));
        return -1;
    }
    if (path_join(b->data, b->root, "data") ||
        path_join(b->log, b->root, "broker.log") ||
        path_join(b->server_pub, b->data, "server.pub") ||
        path_join(b->committee_key, b->data, "committee.key"))
        goto toolong;
    int port = harness_free_ports(2);
    if (port < 0) {
        fprintf(stderr, "harness: no free loopback ports\n");
        return -1;
    }
    snprintf(b->requests, sizeof b->requests, "tcp://127.0.0.1:%d", port);
    snprintf(b->events, sizeof b->events, "tcp://127.0.0.1:%d", port + 1);
    return 0;
toolong:
    fprintf(stderr, "harness: path too long\n");
    return -1;
}

/* `shangju-broker init` on b's directory when it holds no store yet (a
 * start refuses an uninitialised directory); its log goes to b's. */
static int init_if_new(harness_broker_t *b)
{
    char store[HARNESS_PATH];
    if (path_join(store, b->data, "data.mdb"))
        return -1;
    if (access(store, F_OK) == 0)
        return 0;
    char *argv[] = {b->broker_path, "init", "--data", b->data, NULL};
    int fd = open(b->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf(stderr, "harness: open %s: %s\n", b->log, strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fd, STDERR_FILENO);
        int null = open("/dev/null", O_RDWR);
        if (null >= 0)
            dup2(null, STDOUT_FILENO);
        execv(b->broker_path, argv);
        _exit(127);
    }
    close(fd);
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        fprintf(stderr, "harness: shangju-broker init failed; see %s\n",
                b->log);
        return -1;
    }
    return 0;
}

int harness_broker_start(harness_broker_t *b)
{
    if (b->pid > 0)
        return 0;
    if (init_if_new(b) != 0)
        return -1;
    /* Everything the child needs is prepared before fork: after it, only
     * async-signal-safe calls (the parent may have threads). */
    char *argv[20], map[24];
    int n = 0;
    argv[n++] = b->broker_path;
    argv[n++] = "--data";
    argv[n++] = b->data;
    argv[n++] = "--requests";
    argv[n++] = b->requests;
    argv[n++] = "--events";
    argv[n++] = b->events;
    /* The load and crash tests flood on purpose, from few members. */
    argv[n++] = "--rate";
    argv[n++] = "0";
    argv[n++] = "--max-open-wishes";
    argv[n++] = "0";
    if (b->log_level) {
        argv[n++] = "--log-level";
        argv[n++] = (char *)b->log_level;
    }
    if (b->map_mib) {
        snprintf(map, sizeof map, "%lu", b->map_mib);
        argv[n++] = "--map-size";
        argv[n++] = map;
    }
    argv[n] = NULL;
    int fd = open(b->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf(stderr, "harness: open %s: %s\n", b->log, strerror(errno));
        return -1;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "harness: fork: %s\n", strerror(errno));
        close(fd);
        return -1;
    }
    if (pid == 0) {
        /* Die with the test: a failed or timed-out test leaves no broker. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(127);
        dup2(fd, STDERR_FILENO);
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, STDIN_FILENO);
            dup2(null, STDOUT_FILENO);
        }
        execv(b->broker_path, argv);
        _exit(127);
    }
    close(fd);
    b->pid = pid;
    b->starts++;
    return 0;
}

/* Has the broker process exited on its own? Reaps it if so. */
static bool broker_died(harness_broker_t *b)
{
    int status;
    if (b->pid <= 0)
        return true;
    pid_t r = waitpid(b->pid, &status, WNOHANG);
    if (r == b->pid) {
        fprintf(stderr, "harness: broker exited (status 0x%x); see %s\n",
                status, b->log);
        b->pid = 0;
        return true;
    }
    return false;
}

static int ping(sj_client_t *c)
{
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__Ping body = SHANGJU__PING__INIT;
    req.body_case = SHANGJU__REQUEST__BODY_PING;
    req.ping = &body;
    Shangju__Reply *reply = NULL;
    int rc = sj_client_call(c, &req, &reply);
    if (rc == 0) {
        rc = reply->status == SHANGJU__STATUS__STATUS_OK ? 0 : SJ_EPROTO;
        shangju__reply__free_unpacked(reply, NULL);
    }
    return rc;
}

int harness_broker_wait_ready(harness_broker_t *b, int timeout_ms)
{
    int64_t deadline = harness_now_ms() + timeout_ms;
    while (access(b->server_pub, R_OK) != 0 ||
           access(b->committee_key, R_OK) != 0) {
        if (broker_died(b))
            return -1;
        if (harness_now_ms() > deadline)
            goto late;
        harness_sleep_ms(5);
    }
    /* A ping waits behind the batch being committed: under a sanitizer
     * and a flood that is more than 100 ms, so give each try 1 s. */
    sj_client_t *c = harness_client(b, NULL, 1000, -1);
    if (!c) {
        fprintf(stderr, "harness: cannot create the committee client\n");
        return -1;
    }
    int rc;
    while ((rc = ping(c)) != 0) {
        if (broker_died(b) || harness_now_ms() > deadline)
            break;
    }
    sj_client_destroy(&c);
    if (rc == 0)
        return 0;
    if (b->pid <= 0)
        return -1;
late:
    fprintf(stderr, "harness: broker not ready after %d ms; see %s\n",
            timeout_ms, b->log);
    return -1;
}

int harness_broker_stop(harness_broker_t *b, int sig)
{
    if (b->pid <= 0)
        return -1;
    int status = 0;
    kill(b->pid, sig);
    if (sig != SIGKILL) {
        int64_t deadline = harness_now_ms() + 10000;
        pid_t r;
        while ((r = waitpid(b->pid, &status, WNOHANG)) == 0 &&
               harness_now_ms() < deadline)
            harness_sleep_ms(5);
        if (r == b->pid) {
            b->pid = 0;
            return status;
        }
        kill(b->pid, SIGKILL);
    }
    while (waitpid(b->pid, &status, 0) < 0 && errno == EINTR)
        ;
    b->pid = 0;
    return status;
}

void harness_broker_cleanup(harness_broker_t *b, bool keep)
{
    if (b->pid > 0)
        harness_broker_stop(b, SIGTERM);
    if (b->root[0] && !keep && harness_rmtree(b->root) != 0)
        fprintf(stderr, "harness: cannot remove %s: %s\n", b->root,
                strerror(errno));
    if (keep && b->root[0])
        fprintf(stderr, "harness: kept %s\n", b->root);
    b->root[0] = '\0';
}

sj_client_t *harness_client(const harness_broker_t *b, const sj_keypair_t *kp,
                            int timeout_ms, int retries)
{
    sj_client_opts_t o = {0};
    o.requests = b->requests;
    o.events = b->events;
    o.keypair = kp;
    o.key_file = kp ? NULL : b->committee_key;
    o.server_key_file = b->server_pub;
    o.timeout_ms = timeout_ms;
    o.retries = retries;
    int err = 0;
    sj_client_t *c = sj_client_new(&o, &err);
    if (!c)
        fprintf(stderr, "harness: sj_client_new: %s\n", sj_strerror(err));
    return c;
}

int harness_add_resident(sj_client_t *committee, const char *name,
                         sj_keypair_t *kp, uint64_t *id)
{
    return harness_add_member(committee, SHANGJU__ROLE__ROLE_RESIDENT, name, kp,
                              id);
}

int harness_add_member(sj_client_t *committee, Shangju__Role role,
                       const char *name, sj_keypair_t *kp, uint64_t *id)
{
    if (sj_keyfile_generate(kp) != 0) {
        fprintf(stderr, "harness: cannot generate a key pair\n");
        return -1;
    }
    Shangju__Request req = SHANGJU__REQUEST__INIT;
    Shangju__MemberAdd add = SHANGJU__MEMBER_ADD__INIT;
    add.role = role;
    add.name = (char *)name;
    add.community = "harness";
    add.building = "1";
    add.public_key.data = kp->public_key;
    add.public_key.len = SJ_KEY_BYTES;
    req.body_case = SHANGJU__REQUEST__BODY_MEMBER_ADD;
    req.member_add = &add;
    Shangju__Reply *reply = NULL;
    int rc = sj_client_call(committee, &req, &reply);
    if (rc != 0) {
        fprintf(stderr, "harness: member_add %s: %s\n", name, sj_strerror(rc));
        return -1;
    }
    rc = -1;
    if (reply->status != SHANGJU__STATUS__STATUS_OK ||
        reply->body_case != SHANGJU__REPLY__BODY_MEMBER)
        fprintf(stderr, "harness: member_add %s: %s %s\n", name,
                sj_status_name(reply->status), reply->message);
    else {
        if (id)
            *id = reply->member->id;
        rc = 0;
    }
    shangju__reply__free_unpacked(reply, NULL);
    return rc;
}

long long harness_log_sum(const harness_broker_t *b, const char *match,
                          const char *key, long long *lines)
{
    FILE *f = fopen(b->log, "r");
    if (!f)
        return -1;
    char pat[64];
    snprintf(pat, sizeof pat, " %s=", key);
    char line[1024];
    long long sum = 0, n = 0;
    while (fgets(line, sizeof line, f)) {
        const char *p = strstr(line, match) ? strstr(line, pat) : NULL;
        if (!p)
            continue;
        sum += strtoll(p + strlen(pat), NULL, 10);
        n++;
    }
    fclose(f);
    if (lines)
        *lines = n;
    return sum;
}

long harness_broker_peak_rss_kb(const harness_broker_t *b)
{
    if (b->pid <= 0)
        return -1;
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%ld/status", (long)b->pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmHWM:", 6) == 0) {
            kb = strtol(line + 6, NULL, 10);
            break;
        }
    fclose(f);
    return kb;
}
