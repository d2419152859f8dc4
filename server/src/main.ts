import { ConfigError, loadConfig } from './config.js';
import { startServer } from './server.js';
import { createAdmin } from './create-admin.js';

/** `npm run server`: the Parley server on its own, configured by environment variables. */
async function main(): Promise<void> {
  const config = loadConfig();
  const server = await startServer(config);
  server.app.log.info({ url: server.url, dataDir: config.dataDir, demo: config.demo }, 'Parley server ready');

  // SIGTERM (a service manager, a container's stop) or Ctrl+C: stop gracefully (see
  // RunningServer.close), bounded by PARLEY_SHUTDOWN_TIMEOUT_MS. A second signal stops at once.
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      server.app.log.warn({ signal }, 'second signal: stopping now');
      process.exit(1);
    }
    stopping = true;
    server.app.log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

/** `create-admin --email … --name …`: makes an admin and exits; anything else starts the server. */
const command =
  process.argv[2] === 'create-admin'
    ? Promise.resolve().then(() => createAdmin(process.argv.slice(3), loadConfig()))
    : null;

(command === null ? main() : command.then((message) => console.log(message))).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error('Parley server failed to start:', error);
  }
  process.exit(1);
});
