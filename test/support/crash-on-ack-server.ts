/**
 * A real Parley server, in a process of its own, that dies by SIGKILL the first time it
 * would acknowledge a `mutate`: the mutation is committed, and the agent never hears so.
 * Run with `node --import tsx` as a forked child; PARLEY_DATA_DIR and PARLEY_GRAPH_API_URL
 * configure it, PORT (0 for any) is where it listens, and it sends `{ port }` to its
 * parent once it is listening.
 */
import { loadConfig } from '@parley/server/testing';
import { startTestServer } from './server.js';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}

const server = await startTestServer({
  dataDir: required('PARLEY_DATA_DIR'),
  port: Number(process.env['PORT'] ?? 0),
  graph: { baseUrl: required('PARLEY_GRAPH_API_URL'), version: loadConfig({}).graph.version },
});

let armed = true;
server.realtime.io.on('connection', (socket) => {
  socket.use((packet, next) => {
    const last: unknown = packet[packet.length - 1];
    if (armed && packet[0] === 'mutate' && typeof last === 'function') {
      armed = false;
      // socket.io calls the ack only once runMutation has resolved, i.e. after the commit.
      packet[packet.length - 1] = (): void => {
        process.kill(process.pid, 'SIGKILL');
      };
    }
    next();
  });
});

if (process.send === undefined) throw new Error('run this as a forked child: it reports its port over IPC');
process.send({ port: server.port });
