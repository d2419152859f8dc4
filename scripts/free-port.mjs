// A free TCP port on 127.0.0.1, for the scripts, the tests and the benchmarks that start
// servers of their own (PostgreSQL, Redis, Parley nodes, a proxy). Plain JavaScript so that
// node runs it as it is; free-port.d.mts gives its type to TypeScript.
import net from 'node:net';

/** Asks the system for a port nobody listens on, and gives it back at once. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
