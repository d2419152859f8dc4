import { DEMO_TEMPLATES } from './demo-templates.js';
import { startFakeGraph } from './server.js';

/**
 * The fake Graph API as a process, for the demo (`npm start` runs it with tsx): the demo
 * accounts send their replies here, and it answers as Meta would, then posts signed status
 * webhooks back to the Parley server. Prints `FAKE_GRAPH_URL=<url>` once listening.
 *
 *   node --import tsx test/fake-graph/main.ts [--port 8091]
 *   env: PARLEY_URL (where to post webhooks), META_APP_SECRET (to sign them)
 */

/** The demo business ids (server/src/simulator/simulator.ts, DEMO_BUSINESS). */
const DEMO_ACCOUNTS = {
  '100000000000001': 'whatsapp',
  '200000000000002': 'messenger',
  '300000000000003': 'instagram',
} as const;

/** The demo WhatsApp number's business account (server/src/demo/seed.ts). */
const DEMO_WABA_ID = 'WABA_DEMO';

function portArgument(argv: readonly string[]): number {
  const index = argv.indexOf('--port');
  const value = index >= 0 ? argv[index + 1] : process.env.FAKE_GRAPH_PORT;
  const port = Number(value ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Not a port: ${value ?? ''}`);
  return port;
}

async function main(): Promise<void> {
  const parleyUrl = process.env.PARLEY_URL;
  const appSecret = process.env.META_APP_SECRET;
  const fake = await startFakeGraph({
    port: portArgument(process.argv.slice(2)),
    accounts: { ...DEMO_ACCOUNTS },
    templates: { [DEMO_WABA_ID]: DEMO_TEMPLATES },
    placeholderMedia: true,
    webhooks: parleyUrl !== undefined && appSecret !== undefined ? { parleyUrl, appSecret, delayMs: 800 } : undefined,
    log: process.env.FAKE_GRAPH_VERBOSE === '1' ? (line) => console.log(`[fake graph] ${line}`) : undefined,
  });
  console.log(`FAKE_GRAPH_URL=${fake.url}`);
  const stop = (): void => {
    void fake.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error('The fake Graph API failed to start:', error);
  process.exit(1);
});
