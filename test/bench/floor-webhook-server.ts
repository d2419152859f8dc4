/**
 * The floor for webhook intake: the least a correct endpoint must do, written raw — node's
 * http server, the HMAC check over the raw bytes, JSON.parse, and one insert into SQLite
 * (WAL, synchronous=FULL, like the real store). No framework, no normalization, no sync.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import SQLite from 'better-sqlite3';

const secret = process.env['META_APP_SECRET'] ?? '';
const dataDir = process.env['PARLEY_DATA_DIR'] ?? '.';
const db = new SQLite(path.join(dataDir, 'floor.sqlite'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec('create table if not exists messages (id text primary key, body text not null)');
const insert = db.prepare('insert or ignore into messages (id, body) values (?, ?)');

const server = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const raw = Buffer.concat(chunks);
    const header = String(request.headers['x-hub-signature-256'] ?? '');
    const expected = createHmac('sha256', secret).update(raw).digest();
    const given = Buffer.from(header.replace('sha256=', ''), 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      response.writeHead(401).end();
      return;
    }
    const body = JSON.parse(raw.toString('utf8')) as {
      entry: { changes: { value: { messages: { id: string }[] } }[] }[];
    };
    for (const entry of body.entry)
      for (const change of entry.changes) for (const message of change.value.messages) insert.run(message.id, raw);
    response.writeHead(200, { 'content-type': 'text/plain' }).end('EVENT_RECEIVED');
  });
});
server.listen(Number(process.env['PORT'] ?? 0), '127.0.0.1', () => {
  const address = server.address();
  if (typeof address === 'object' && address !== null) process.stdout.write(`listening ${address.port}\n`);
});
