/* torprobe: a test hook that plays a compromised `serve` against tor (the
 * integration test tests/integration/tor_orders.sh). When serve runs with
 * BROADSIDE_TOR_PROBE=1, right after its sandbox is applied it tries what
 * code running inside serve would try, and logs each outcome as
 * "tor probe: ...":
 *   - write the torrc (run/torrc, tor/torrc) with UseBridges and a Bridge;
 *     read tor's control cookie;
 *   - connect to tor's control socket directly; else ask the spawner for a
 *     control connection, and send SETCONF HiddenServicePort, UseBridges,
 *     ADD_ONION, SETEVENTS beyond serve's, TAKEOWNERSHIP/DROPOWNERSHIP,
 *     AUTHCHALLENGE, LOADCONF, a pipelined SETCONF, logging tor's (or the
 *     filter's) answer to each;
 *   - ask the spawner to start a tor with --UseBridges 1 --Bridge
 *     192.0.2.1:443 --Sandbox 0 (and its own DataDirectory, DisableNetwork 1).
 * The test then reads tor's running configuration over its own control
 * connection. Harmless unless the variable is set, like sandbox_probe(). */
#ifndef BROADSIDE_TORPROBE_H
#define BROADSIDE_TORPROBE_H

/* root: the data directory; tor_path: argv[0] for the spawner. */
void torprobe_run(const char *root, const char *tor_path);

#endif
