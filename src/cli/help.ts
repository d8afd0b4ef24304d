/** The text of `switchyard --help`. */
export const HELP = `switchyard - on-site OCPP hub and local energy manager

Usage:
  switchyard [--config FILE] [--port N] [--api-port N] [--data-dir DIR] [--log-level LEVEL]
             [--json-logs] [--simulate]
  switchyard check-config FILE [--simulate]
                                  print the effective config and every problem; start nothing
  switchyard hash-password        read a password from stdin, print a hash for a station's passwordHash
  switchyard backup FILE [--config FILE | --data-dir DIR]
                                  online copy of the database (safe while the hub runs)
  switchyard --version

Options:
  --config FILE      site config (default: site-config/demo.yaml, the demo site)
  --port N           OCPP WebSocket port (overrides server.port)
  --api-port N       HTTP API port (overrides api.port)
  --data-dir DIR     where the SQLite database lives (overrides data.dir; relative to the
                     working directory, while data.dir is relative to the config file)
  --log-level LEVEL  trace, debug, info, warn, error, silent (default: info)
  --json-logs        JSON log lines instead of the readable terminal format
  --simulate         allow a config with simulation.enabled that is not a shipped example
  --version          print the version
  -h, --help         this text

Exit codes: 0 ok, 1 other failure, 2 bad command line, 3 invalid config, 4 cannot listen
(port in use), 5 data directory not writable, 6 database corrupt.
`;
