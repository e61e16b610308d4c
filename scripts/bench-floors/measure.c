/* Starts a command RUNS times, each with stdin from the next file listed in INPUTS (cycled), stdout and stderr to
 * /dev/null, and prints "<wall ms> <peak RSS KiB>" per run. A C parent keeps the measurement clean: a fork of a
 * large parent (Python) would count the parent's pages in the child's peak RSS until exec. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: measure RUNS INPUTS COMMAND [ARG...]\n");
        return 2;
    }
    int runs = atoi(argv[1]);
    FILE *list = fopen(argv[2], "r");
    if (!list) { perror(argv[2]); return 2; }
    char *inputs[4096];
    int count = 0;
    char line[4096];
    while (count < 4096 && fgets(line, sizeof line, list)) {
        line[strcspn(line, "\n")] = 0;
        inputs[count++] = strdup(line);
    }
    fclose(list);
    if (count == 0) { fprintf(stderr, "no inputs\n"); return 2; }
    for (int i = 0; i < runs; i++) {
        struct timespec start, end;
        clock_gettime(CLOCK_MONOTONIC, &start);
        pid_t pid = fork();
        if (pid == 0) {
            int in = open(inputs[i % count], O_RDONLY);
            int null = open("/dev/null", O_WRONLY);
            dup2(in, 0);
            dup2(null, 1);
            dup2(null, 2);
            execv(argv[3], argv + 3);
            _exit(127);
        }
        int status;
        struct rusage usage;
        wait4(pid, &status, 0, &usage);
        clock_gettime(CLOCK_MONOTONIC, &end);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            fprintf(stderr, "%s exited with status %d\n", argv[3], status);
            return 1;
        }
        double ms = (end.tv_sec - start.tv_sec) * 1e3 + (end.tv_nsec - start.tv_nsec) / 1e6;
        printf("%.3f %ld\n", ms, usage.ru_maxrss);
    }
    return 0;
}
