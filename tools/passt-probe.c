// SPDX-License-Identifier: GPL-2.0-or-later
/* passt-probe.c - what passt and pasta can use on this kernel, as this user
 *
 * Runs every probe of user/probe.c (the daemon's own code), prints one line
 * per feature (or one JSON object with --json), then a verdict per mode.
 * Exit status: 0 if every mode this build offers works, 1 if one doesn't,
 * 2 on a usage error.
 */

#include <stdio.h>
#include <string.h>

#include "probe.h"
#include "util.h"

/**
 * struct mode_verdict - can one mode of operation run here
 * @name:	Mode name
 * @usable:	It can
 * @reason:	Why not, or what it will use
 */
struct mode_verdict {
	const char *name;
	bool usable;
	char reason[256];
};

/**
 * json_str() - Print a string as a JSON string literal
 * @s:		String
 */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

/**
 * verdicts() - Decide, per mode, whether it can run
 * @r:		Probe results, indexed by enum probe_id
 * @v:		Filled: pasta-fastpath, pasta-splice, passt
 */
static void verdicts(const struct probe_result *r, struct mode_verdict *v)
{
	const enum probe_id need_pasta[] = {
		PROBE_USERNS, PROBE_TUN, PROBE_TAP_NS, PROBE_SPLICE,
	};
	const enum probe_id need_bpf[] = {
		PROBE_BPF_SK_SKB, PROBE_BPF_SOCKHASH, PROBE_BPF_FASTPATH,
	};
	size_t i;

	v[0].name = "pasta-fastpath";
	v[1].name = "pasta-splice";
	v[2].name = "passt";

	v[1].usable = true;
	for (i = 0; i < ARRAY_SIZE(need_pasta); i++) {
		if (!r[need_pasta[i]].available && v[1].usable) {
			v[1].usable = false;
			snprintf(v[1].reason, sizeof(v[1].reason), "%s: %s",
				 r[need_pasta[i]].name, r[need_pasta[i]].detail);
		}
	}

	v[0].usable = false;
	for (i = 0; i < ARRAY_SIZE(need_bpf); i++) {
		if (!r[need_bpf[i]].available) {
			snprintf(v[0].reason, sizeof(v[0].reason), "%s: %s",
				 r[need_bpf[i]].name, r[need_bpf[i]].detail);
			break;
		}
	}
	if (i == ARRAY_SIZE(need_bpf)) {
		v[0].usable = true;
		snprintf(v[0].reason, sizeof(v[0].reason), "the fast-path "
			 "object loads and attaches");
	}

	v[2].usable = true;	/* a UNIX socket and the protocols: always */
}

/**
 * usage() - Print usage
 * @f:		Stream
 */
static void usage(FILE *f)
{
	fprintf(f, "Usage: passt-probe [--json]\n"
		   "Try each kernel feature passt and pasta rely on, as the "
		   "current user,\nand report what they will use.\n\n"
		   "  --json     one JSON object instead of a table\n"
		   "  --version  show version and exit\n"
		   "  -h, --help this help\n");
}

/**
 * main() - Run the probes and report
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: 0 if every mode offered by this build works, 1 if not, 2 on
 * usage errors
 */
int main(int argc, char **argv)
{
	struct probe_result r[PROBE_NUM];
	struct mode_verdict v[3] = { 0 };
	bool json = false, all_ok;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			printf("passt-probe %s\n", VERSION);
			return 0;
		} else {
			fprintf(stderr, "passt-probe: unknown option '%s'\n",
				argv[i]);
			usage(stderr);
			return 2;
		}
	}

	for (i = 0; i < PROBE_NUM; i++)
		probe_run((enum probe_id)i, &r[i]);
	verdicts(r, v);
	/* The fast path is not part of this build yet: not counted */
	all_ok = v[1].usable && v[2].usable;

	if (json) {
		printf("{\"features\": [");
		for (i = 0; i < PROBE_NUM; i++) {
			printf("%s{\"name\": ", i ? ", " : "");
			json_str(r[i].name);
			printf(", \"available\": %s, \"detail\": ",
			       r[i].available ? "true" : "false");
			json_str(r[i].detail);
			printf(", \"action\": ");
			json_str(r[i].action);
			putchar('}');
		}
		printf("], \"modes\": {");
		for (i = 0; i < 3; i++) {
			printf("%s", i ? ", " : "");
			json_str(v[i].name);
			printf(": {\"usable\": %s, \"reason\": ",
			       v[i].usable ? "true" : "false");
			json_str(v[i].reason);
			putchar('}');
		}
		printf("}}\n");
	} else {
		printf("%-24s %-5s %-44s %s\n", "FEATURE", "OK", "DETAIL",
		       "WHAT PASST/PASTA DO");
		for (i = 0; i < PROBE_NUM; i++)
			printf("%-24s %-5s %-44s %s\n", r[i].name,
			       r[i].available ? "yes" : "no", r[i].detail,
			       r[i].action);
		printf("\n");
		for (i = 0; i < 3; i++)
			printf("%-16s %-12s %s\n", v[i].name,
			       v[i].usable ? "usable" : "not usable",
			       v[i].reason);
	}
	return all_ok ? 0 : 1;
}
