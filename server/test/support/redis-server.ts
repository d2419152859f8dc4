/**
 * A throwaway Redis for a test: Debian's `redis-server` on 127.0.0.1 and a free port,
 * keeping nothing on disk. Tests of several nodes start one each, and stop it (or restart it
 * on the same port, to play an outage) themselves.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../../scripts/free-port.mjs';

export type TestRedis = {
  url: string;
  port: number;
  /** Stops the server (SIGKILL when `crash`), keeping the port for `start`. */
  stop: (options?: { crash?: boolean }) => Promise<void>;
  /** Starts it again on the same port, empty. */
  start: () => Promise<void>;
  /** Stops it for good and removes its folder. */
  close: () => Promise<void>;
};

export async function startRedis(): Promise<TestRedis> {
  const binary = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((file) => fs.existsSync(file));
  if (binary === undefined) throw new Error('The tests of several nodes need Redis: apt-get install redis-server');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-redis-'));
  const port = await freePort();
  let child: ChildProcess | null = null;

  const start = async (): Promise<void> => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir];
    const started = spawn(binary, args, { stdio: 'ignore' });
    child = started;
    await waitForPort(port, started);
  };
  const stop = async (options: { crash?: boolean } = {}): Promise<void> => {
    const running = child;
    child = null;
    if (running === null || running.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill(options.crash === true ? 'SIGKILL' : 'SIGTERM');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop,
    close: async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`redis-server did not listen on ${port} within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
