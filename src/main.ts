#!/usr/bin/env node
/** Switchyard CLI: dispatches to one command; each command lives in src/cli/. */
import { backupFromArgs } from './cli/backup.js';
import { checkConfigCommand } from './cli/check-config.js';
import { describeFailure } from './cli/exit-codes.js';
import { hashPasswordCommand } from './cli/hash-password.js';
import { HELP } from './cli/help.js';
import { runHub } from './cli/run-hub.js';
import { packageVersion } from './cli/version.js';

type Command = (args: readonly string[]) => Promise<number> | number;

/** Subcommands by name; anything else runs the hub. */
const COMMANDS: Record<string, Command> = {
  'check-config': (args) => checkConfigCommand(args, process.stdout),
  'hash-password': (args) => hashPasswordCommand(args, process),
  backup: (args) => backupFromArgs(args),
};

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  if (argv.includes('--version')) {
    process.stdout.write(`switchyard ${packageVersion()}\n`);
    return 0;
  }
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  return command ? command(rest) : runHub(argv, process.stderr);
}

main(process.argv.slice(2))
  .then((code) => {
    if (code >= 0) process.exit(code);
  })
  .catch((err: unknown) => {
    const failure = describeFailure(err);
    process.stderr.write(`${failure.message}\n`);
    process.exit(failure.code);
  });
