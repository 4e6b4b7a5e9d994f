/* test_vanguards_run: vanguards' command line and the config file serve
 * writes for it (tests/integration/vanguards.sh reads it with vanguards' own
 * parser). */
#include <stdlib.h>
#include <string.h>

#include "onion/vanguards_run.h"
#include "unit.h"

static void
argv_is_program_config_state(void)
{
	char *argv[8];
	size_t n = vanguards_run_argv("/usr/bin/vanguards", "/d/vanguards/vanguards.conf",
	    "/d/vanguards/state", argv, 8);

	is_int(n, 5, "five arguments");
	is_str(argv[0], "/usr/bin/vanguards", "the program first (the spawner checks it)");
	is_str(argv[1], "--config", "");
	is_str(argv[2], "/d/vanguards/vanguards.conf", "");
	is_str(argv[3], "--state", "");
	is_str(argv[4], "/d/vanguards/state", "");
	ok(argv[5] == NULL, "NULL-terminated");
	n = vanguards_run_argv("/usr/bin/vanguards", "c", "s", argv, 3);
	is_int(n, 2, "cut to the slots given");
	ok(argv[2] == NULL, "still NULL-terminated");
}

static void
config_names_socket_state_and_layers(void)
{
	char *c = vanguards_run_config("/d/run/control", "/d/vanguards/state", 0);

	ok(strstr(c, "\ncontrol_socket = /d/run/control\n") != NULL, "control socket");
	ok(strstr(c, "\nstate_file = /d/vanguards/state\n") != NULL, "state file");
	ok(strstr(c, "\none_shot_vanguards = False\n") != NULL, "not one-shot");
	ok(strstr(c, "\nlogfile =\n") != NULL, "stdout");
	ok(strstr(c, "\nnum_layer2_guards = 3\n") != NULL, "3 layer-2");
	ok(strstr(c, "\nnum_layer3_guards = 8\n") != NULL, "8 layer-3");
	free(c);
	c = vanguards_run_config("/d/run/control", "/d/vanguards/state", 1);
	ok(strstr(c, "\nnum_layer2_guards = 3\n") != NULL, "testnet: 3 layer-2");
	ok(strstr(c, "\nnum_layer3_guards = 3\n") != NULL, "testnet: 3 layer-3");
	free(c);
}

static const unit_case_t cases[] = {
	UNIT_CASE(argv_is_program_config_state),
	UNIT_CASE(config_names_socket_state_and_layers),
	UNIT_CASES_END
};

int
main(int argc, char **argv)
{
	return unit_main(cases, argc, argv);
}
