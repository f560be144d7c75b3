/* SPDX-License-Identifier: MIT */
/*
 * The fuzz target without libFuzzer: feed every file of the folders (or
 * files) given to it, so that the corpus and every crash once found are
 * replayed by each test run.  Exit status 0 unless a file is unreadable.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0, r;

	if (!f) {
		perror(path);
		return -1;
	}
	do {
		if (n == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long files = 0;
	int i, bad = 0;

	for (i = 1; i < argc; i++) {
		struct stat sb;
		struct dirent **names;
		int n, j;

		if (stat(argv[i], &sb)) {
			continue;	/* no crash folder: nothing to replay */
		}
		if (!S_ISDIR(sb.st_mode)) {
			bad |= run_file(argv[i]);
			files++;
			continue;
		}
		n = scandir(argv[i], &names, NULL, alphasort);
		for (j = 0; j < n; j++) {
			char path[4096];

			snprintf(path, sizeof(path), "%s/%s", argv[i],
				 names[j]->d_name);
			if (names[j]->d_name[0] != '.' &&
			    !stat(path, &sb) && S_ISREG(sb.st_mode)) {
				bad |= run_file(path);
				files++;
			}
			free(names[j]);
		}
		free(n >= 0 ? names : NULL);
	}
	printf("replayed %lu files\n", files);
	return bad ? 1 : 0;
}
