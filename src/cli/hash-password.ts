import { hashPassword } from '../evse/password.js';
import { UsageError } from './exit-codes.js';

/** `switchyard hash-password`: reads the password from stdin (never the command line) and prints its hash. */
export async function hashPasswordCommand(args: readonly string[], io: { stdin: NodeJS.ReadStream; stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream }): Promise<number> {
  if (args.length > 0) {
    throw new UsageError(
      'hash-password reads the password from standard input, not from the command line (where the shell history and the process list would keep it). ' +
        'Run `switchyard hash-password` and type it, or pipe it: `switchyard hash-password < password.txt`',
    );
  }
  const password = io.stdin.isTTY ? await promptHidden(io.stdin, io.stderr) : stripOneNewline(await readAll(io.stdin));
  if (password.length === 0) throw new UsageError('hash-password: the password is empty');
  io.stdout.write(`${hashPassword(password)}\n`);
  return 0;
}

function stripOneNewline(text: string): string {
  return text.replace(/\r?\n$/, '');
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads one line from the terminal without echoing it. */
function promptHidden(stdin: NodeJS.ReadStream, stderr: NodeJS.WritableStream): Promise<string> {
  stderr.write('Password (not shown): ');
  return new Promise((resolve, reject) => {
    let text = '';
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (err?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      stderr.write('\n');
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new UsageError('hash-password: cancelled'));
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    stdin.on('data', onData);
  });
}
