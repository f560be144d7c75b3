/* SPDX-License-Identifier: MIT */
/* Keeping the runtime in the environment of exec'd programs. */
#ifndef AVS_RT_ENV_RESTORE_H
#define AVS_RT_ENV_RESTORE_H

#include <stdbool.h>

/* At start-up (constructor context): remember this library's path and
 * the absolute output folder. */
void avs_env_init(const char *dir);
/*
 * For execve's envp: the same environment if it still loads the runtime
 * and names the folder, else one that does (static storage).  *restored
 * says whether anything was put back.
 */
char *const *avs_env_for_exec(char *const *envp, bool *restored);
/* After a failed execve that used the restored environment. */
void avs_env_release(void);

#endif
