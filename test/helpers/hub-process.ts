import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * Starts the real CLI in a child process (as an operator would run it) and resolves with its
 * OCPP URL and API URL once both listen. Tests kill it with SIGKILL to check durability, or
 * SIGTERM to stop it.
 */
export function startHubProcess(configPath: string): Promise<{ child: ChildProcess; url: string; apiUrl: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', configPath, '--port', '0', '--api-port', '0', '--json-logs'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`hub exited early with ${code}`)));
    const lines = createInterface({ input: child.stdout! });
    let url: string | undefined;
    lines.on('line', (line) => {
      try {
        const rec = JSON.parse(line) as { msg?: string; url?: string };
        if (rec.msg === 'OCPP endpoint listening' && rec.url) url = rec.url.replace('/<stationId>', '');
        if (rec.msg === 'API listening' && rec.url && url !== undefined) resolve({ child, url, apiUrl: rec.url.replace('/api/stations', '') });
      } catch {
        // not a log line
      }
    });
  });
}
