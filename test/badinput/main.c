/*
 * badinput MAIN_SOCKET OTHER_SOCKET WORK_DIR: run the bad-input catalogue
 * (badinput.h) against the emulators on the two sockets.  Exit status 0
 * when every case got its expected error and the daemon served the next
 * request, 1 when a case failed, 2 on a usage error, 99 when the set-up
 * (keys for the cases) failed.
 */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "badinput.h"

int main(int argc, char **argv)
{
    struct bi_env env;
    int status = 0;

    if (argc != 4 || argv[1][0] == '-') {
        fprintf(stderr, "usage: %s MAIN_SOCKET OTHER_SOCKET WORK_DIR\n"
                "Send the bad-input catalogue to the emulator on "
                "MAIN_SOCKET; OTHER_SOCKET is a second emulator that makes "
                "a token of another coprocessor.\n", argv[0]);
        return 2;
    }
    memset(&env, 0, sizeof(env));
    env.main_socket = argv[1];
    env.other_socket = argv[2];
    env.work_dir = argv[3];
    if (!bi_make_keys(&env)) {
        fprintf(stderr, "badinput: cannot generate the keys of the cases "
                "on %s and %s\n", env.main_socket, env.other_socket);
        status = 99;
        goto done;
    }

    bi_run_frame_cases(&env);
    bi_run_token_cases(&env);
    bi_run_size_cases(&env);
    bi_run_provider_cases(&env);

    if (bi_failures > 0) {
        printf("%d bad-input cases failed\n", bi_failures);
        status = 1;
    }

done:
    bi_free_keys(&env.keys);
    return status;
}
