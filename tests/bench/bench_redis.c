/* The Redis baseline of shangju-bench (see bench_redis.h): fork/exec of
 * redis-server and redis-benchmark, readiness by a raw PING, and parsing of
 * redis-benchmark's CSV line. */
#define _GNU_SOURCE /* pipe2 */
#include "bench_redis.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

#define OUTPUT_CAP 65536

bool bench_find_program(const char *prog, char *buf, size_t cap)
{
    if (strchr(prog, '/')) {
        snprintf(buf, cap, "%s", prog);
        return access(buf, X_OK) == 0;
    }
    const char *path = getenv("PATH");
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        size_t len = strcspn(path, ":");
        int n = snprintf(buf, cap, "%.*s/%s", (int)len, path, prog);
        if (len && n > 0 && (size_t)n < cap && access(buf, X_OK) == 0)
            return true;
        path += len;
        if (*path == ':')
            path++;
    }
    return false;
}

/* fork + exec argv[0] with stdout to out_fd (stderr too if err_fd < 0),
 * killed with the caller. Returns the pid or -1. */
static pid_t spawn(char *const argv[], int out_fd, int err_fd)
{
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(127);
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd >= 0 ? err_fd : out_fd, STDERR_FILENO);
    execv(argv[0], argv);
    _exit(127);
}

/* Does a redis on 127.0.0.1:port answer PING? */
static bool redis_ping(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct timeval tv = {.tv_sec = 1};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[16] = "";
    bool ok = connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
              write(fd, "PING\r\n", 6) == 6 && read(fd, buf, 7) > 0 &&
              strncmp(buf, "+PONG", 5) == 0;
    close(fd);
    return ok;
}

static void stop_server(pid_t pid)
{
    int status;
    kill(pid, SIGTERM);
    int64_t deadline = harness_now_ms() + 10000;
    while (waitpid(pid, &status, WNOHANG) == 0) {
        if (harness_now_ms() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &status, 0);
            return;
        }
        harness_sleep_ms(10);
    }
}

/* Parse the CSV row "XADD ...","rps","avg","min","p50","p95","p99","max". */
static int parse_csv(const char *text, bench_redis_result_t *out)
{
    const char *row = strstr(text, "\n\"XADD");
    if (!row)
        return -1;
    double v[7];
    const char *p = strchr(row + 2, '"'); /* end of the test name */
    for (int i = 0; i < 7; i++) {
        if (!p || strncmp(p, "\",\"", 3) != 0)
            return -1;
        char *end;
        v[i] = strtod(p + 3, &end);
        if (end == p + 3)
            return -1;
        p = end;
    }
    out->rps = v[0];
    out->avg_ms = v[1];
    out->p50_ms = v[3];
    out->p99_ms = v[5];
    out->max_ms = v[6];
    return 0;
}

/* Run redis-benchmark and collect its stdout into buf. Returns 0 or -1. */
static int run_benchmark(char *const argv[], char *buf, size_t cap)
{
    int pfd[2];
    if (pipe2(pfd, O_CLOEXEC) != 0)
        return -1;
    pid_t pid = spawn(argv, pfd[1], -1);
    close(pfd[1]);
    if (pid < 0) {
        close(pfd[0]);
        return -1;
    }
    size_t n = 0;
    ssize_t r;
    while ((r = read(pfd[0], buf + n, cap - 1 - n)) != 0) {
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            break;
        n += (size_t)r;
        if (n == cap - 1) /* keep the tail: the CSV row comes last */
            n = 0;
    }
    buf[n] = '\0';
    close(pfd[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int bench_redis_run(const char *server_path, const char *benchmark_path,
                    int clients, int pipeline, long requests,
                    bench_redis_result_t *out)
{
    char dir[HARNESS_PATH], log[HARNESS_PATH + 16];
    if (harness_tmpdir(dir, sizeof dir, "shangju-redis-") != 0) {
        fprintf(stderr, "redis: mkdtemp: %s\n", strerror(errno));
        return -1;
    }
    snprintf(log, sizeof log, "%s/redis.log", dir);
    int port = harness_free_ports(1);
    int logfd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    int rc = -1;
    pid_t server = -1;
    char *text = malloc(OUTPUT_CAP);
    if (port < 0 || logfd < 0 || !text) {
        fprintf(stderr, "redis: no port, log or memory\n");
        goto done;
    }
    char sport[16], sc[16], sp[16], sn[24];
    snprintf(sport, sizeof sport, "%d", port);
    snprintf(sc, sizeof sc, "%d", clients);
    snprintf(sp, sizeof sp, "%d", pipeline);
    snprintf(sn, sizeof sn, "%ld", requests);
    char *sargv[] = {(char *)server_path,
                     "--port",
                     sport,
                     "--bind",
                     "127.0.0.1",
                     "--dir",
                     dir,
                     "--appendonly",
                     "yes",
                     "--appendfsync",
                     "always",
                     "--save",
                     "",
                     "--daemonize",
                     "no",
                     NULL};
    server = spawn(sargv, logfd, -1);
    if (server < 0) {
        fprintf(stderr, "redis: fork: %s\n", strerror(errno));
        goto done;
    }
    int64_t deadline = harness_now_ms() + 10000;
    while (!redis_ping(port)) {
        if (harness_now_ms() > deadline ||
            waitpid(server, NULL, WNOHANG) == server) {
            fprintf(stderr, "redis: server did not start; see %s\n", log);
            goto done;
        }
        harness_sleep_ms(20);
    }
    char *bargv[] = {(char *)benchmark_path,
                     "-h",
                     "127.0.0.1",
                     "-p",
                     sport,
                     "-c",
                     sc,
                     "-P",
                     sp,
                     "-n",
                     sn,
                     "--csv",
                     "XADD",
                     "bench",
                     "*",
                     "f",
                     "v",
                     NULL};
    int64_t t0 = harness_now_ms();
    if (run_benchmark(bargv, text, OUTPUT_CAP) != 0 ||
        parse_csv(text, out) != 0) {
        fprintf(stderr, "redis: redis-benchmark failed or said:\n%s\n", text);
        goto done;
    }
    out->seconds = (double)(harness_now_ms() - t0) / 1000.0;
    out->requests = requests;
    rc = 0;
done:
    if (server > 0)
        stop_server(server);
    if (logfd >= 0)
        close(logfd);
    free(text);
    if (rc != 0)
        fprintf(stderr, "redis: kept %s\n", dir);
    else
        harness_rmtree(dir);
    return rc;
}
