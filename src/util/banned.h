/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef BERTH_UTIL_BANNED_H
#define BERTH_UTIL_BANNED_H

/*
 * Functions that are easy to misuse: unbounded copies, silent number
 * parsing, hidden state. Using one is a compile error; the replacement is
 * named in the macro. The build passes this header to every source file
 * with -include; it pulls in the system headers that declare these
 * functions first, so their declarations are not rewritten.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BANNED(func) sorry_##func##_is_banned

#undef strcpy
#define strcpy(x, y) BANNED(strcpy_use_snprintf_or_xstrdup)
#undef strcat
#define strcat(x, y) BANNED(strcat_use_snprintf)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy_use_snprintf)
#undef strncat
#define strncat(x, y, n) BANNED(strncat_use_snprintf)
#undef sprintf
#define sprintf(...) BANNED(sprintf_use_snprintf_or_xasprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf_use_vsnprintf)
#undef strtok
#define strtok(x, y) BANNED(strtok_use_strtok_r)
#undef atoi
#define atoi(x) BANNED(atoi_use_strtol_with_checks)
#undef atol
#define atol(x) BANNED(atol_use_strtol_with_checks)
#undef gets
#define gets(x) BANNED(gets_use_fgets)

#endif
