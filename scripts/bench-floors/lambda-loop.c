/* The warm Lambda floor: a C Runtime API client that does no work. Over one keep-alive connection to
 * $AWS_LAMBDA_RUNTIME_API it fetches each event (GET .../invocation/next) and posts a fixed 200 answer, until /next
 * answers anything but 200. Measured against the same stand-in as `licensor lambda`, it is what an invocation costs
 * the stand-in and the loopback transport alone, so a warm sale's own share is the sale minus this. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

static char buffer[8 << 20];

/* Reads one HTTP/1.1 response with a Content-Length; returns its status and copies the request id header. */
static int read_response(int fd, char *request_id, size_t id_size) {
    size_t have = 0;
    char *end = NULL;
    while (!(end = memmem(buffer, have, "\r\n\r\n", 4))) {
        ssize_t n = read(fd, buffer + have, sizeof buffer - have);
        if (n <= 0) return -1;
        have += (size_t)n;
    }
    size_t head = (size_t)(end - buffer) + 4;
    int status = atoi(buffer + 9);
    long length = 0;
    for (char *line = strstr(buffer, "\r\n") + 2; line < end; line = strstr(line, "\r\n") + 2) {
        if (strncasecmp(line, "Content-Length:", 15) == 0) length = atol(line + 15);
        if (request_id && strncasecmp(line, "Lambda-Runtime-Aws-Request-Id:", 30) == 0) {
            const char *value = line + 30 + strspn(line + 30, " ");
            size_t size = strcspn(value, "\r");
            if (size >= id_size) size = id_size - 1;
            memcpy(request_id, value, size);
            request_id[size] = 0;
        }
    }
    while (have < head + (size_t)length) {
        ssize_t n = read(fd, buffer + have, sizeof buffer - have);
        if (n <= 0) return -1;
        have += (size_t)n;
    }
    return status;
}

static int write_all(int fd, const char *text, size_t size) {
    while (size > 0) {
        ssize_t n = write(fd, text, size);
        if (n <= 0) return -1;
        text += n;
        size -= (size_t)n;
    }
    return 0;
}

int main(void) {
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!api || !strchr(api, ':')) return 2;
    char host[64];
    snprintf(host, sizeof host, "%.*s", (int)(strchr(api, ':') - api), api);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(strchr(api, ':') + 1))};
    if (inet_pton(AF_INET, host, &address.sin_addr) != 1) return 2;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&address, sizeof address) != 0) return 1;
    const char *next = "GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: runtime\r\n\r\n";
    const char *answer = "{\"statusCode\":200,\"headers\":{\"content-type\":\"application/json\"},\"body\":\"{}\"}";
    char request_id[256], post[1024];
    for (;;) {
        if (write_all(fd, next, strlen(next)) != 0) return 1;
        if (read_response(fd, request_id, sizeof request_id) != 200) return 0;
        int size = snprintf(post, sizeof post,
                            "POST /2018-06-01/runtime/invocation/%s/response HTTP/1.1\r\nHost: runtime\r\n"
                            "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                            request_id, strlen(answer), answer);
        if (write_all(fd, post, (size_t)size) != 0) return 1;
        if (read_response(fd, NULL, 0) != 202) return 1;
    }
}
