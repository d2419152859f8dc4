/**
 * The soak's measurements (soak.ts): the page's JS heap and DOM counters after a full GC,
 * and a heap snapshot summarised by constructor.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CDPSession } from '@playwright/test';

export type Sample = {
  hour: number;
  heapMb: number;
  domNodes: number;
  documents: number;
  listeners: number;
  load1: number;
};

export async function measure(cdp: CDPSession, hour: number): Promise<Sample> {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const heap = await cdp.send('Runtime.getHeapUsage');
  const dom = await cdp.send('Memory.getDOMCounters');
  return {
    hour,
    heapMb: heap.usedSize / 2 ** 20,
    domNodes: dom.nodes,
    documents: dom.documents,
    listeners: dom.jsEventListeners,
    load1: os.loadavg()[0] ?? Number.NaN,
  };
}

export type Census = Map<string, { count: number; size: number }>;
type HeapSnapshot = {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
};

/** A heap snapshot summarised by constructor (objects and native DOM), with the detached nodes; kept in `keepIn` when given. */
export async function census(cdp: CDPSession, label: string, keepIn: string | undefined): Promise<Census> {
  const chunks: string[] = [];
  const onChunk = (event: { chunk: string }): void => {
    chunks.push(event.chunk);
  };
  cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  try {
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  } finally {
    cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  }
  const raw = chunks.join('');
  if (keepIn !== undefined) {
    fs.mkdirSync(keepIn, { recursive: true });
    fs.writeFileSync(path.join(keepIn, `soak-${label}.heapsnapshot`), raw);
  }
  const parsed = JSON.parse(raw) as HeapSnapshot;
  const fields = parsed.snapshot.meta.node_fields;
  const types = parsed.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const result: Census = new Map();
  for (let i = 0; i < parsed.nodes.length; i += width) {
    const type = types[parsed.nodes[i + typeAt] ?? 0] ?? '?';
    const name = parsed.strings[parsed.nodes[i + nameAt] ?? 0] ?? '?';
    let key: string;
    if (name.startsWith('Detached ')) key = 'Detached DOM nodes';
    else if (type === 'object' || type === 'native') key = name.length > 60 ? `${name.slice(0, 57)}...` : name;
    else key = `(${type})`;
    const entry = result.get(key) ?? { count: 0, size: 0 };
    entry.count += 1;
    entry.size += parsed.nodes[i + sizeAt] ?? 0;
    result.set(key, entry);
  }
  return result;
}
