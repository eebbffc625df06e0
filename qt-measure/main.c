/* SPDX-License-Identifier: Apache-2.0 */
/* qt-measure: not built yet; says so and exits 2 so no script mistakes it for success. */
#include <string.h>

#include "attest_cmds.h"
#include "tool.h"

static const char usage_text[] = "usage: qt-measure --version\n";

int
main(int argc, char *argv[])
{
	tool_init(argv[0]);
	if (argc >= 2 && strcmp(argv[1], "verify") == 0)
		return tool_finish(cmd_verify(argc - 1, argv + 1));
	if (argc >= 2 && strcmp(argv[1], "policy") == 0)
		return tool_finish(cmd_policy(argc - 1, argv + 1));
	if (argc == 2 && strcmp(argv[1], "--version") == 0)
		tool_version();
	if (argc == 2 && strcmp(argv[1], "--help") == 0)
		tool_help(usage_text);
	tool_warn("not implemented yet");
	return tool_finish(QT_EXIT_TROUBLE);
}
