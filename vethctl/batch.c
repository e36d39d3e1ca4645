// SPDX-License-Identifier: GPL-2.0-or-later
/* batch.c - the words of one --batch line (a file of its own for the fuzzer). */
#include <ctype.h>
#include <stddef.h>

#include "vethctl.h"

/*
 * Splits a batch line like a shell would: blanks separate words, '...' and
 * "..." quote, backslash escapes.  Returns the number of words, or -1 for an
 * unterminated quote.
 */
int batch_split(char *line, char **words, int max)
{
	int n = 0;
	char *r = line, *w = line;

	while (*r) {
		char quote = 0;

		while (isspace((unsigned char)*r))
			r++;
		if (!*r)
			break;
		if (n == max)
			return -1;
		words[n++] = w;
		while (*r && (quote || !isspace((unsigned char)*r))) {
			if (quote && *r == quote) {
				quote = 0;
				r++;
			} else if (!quote && (*r == '\'' || *r == '"')) {
				quote = *r++;
			} else if (*r == '\\' && r[1] && quote != '\'') {
				*w++ = r[1];
				r += 2;
			} else {
				*w++ = *r++;
			}
		}
		if (quote)
			return -1;
		if (*r)
			r++;
		*w++ = '\0';
	}
	words[n] = NULL;
	return n;
}
