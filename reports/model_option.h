/* SPDX-License-Identifier: MIT */
/* The --model option: a rule set by name, or "auto" for the running
 * kernel's. */
#ifndef AVS_REPORTS_MODEL_OPTION_H
#define AVS_REPORTS_MODEL_OPTION_H

#include "shadow/shadow.h"

/* NULL with a message listing the known names if name is unknown. */
const struct avs_rules *avs_model_option(const char *name, char *err,
					 size_t errlen);

#endif
