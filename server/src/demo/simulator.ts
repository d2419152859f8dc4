import { randomUUID } from 'node:crypto';
import type { Channel } from '@parley/protocol';
import type { FastifyBaseLogger } from 'fastify';
import { signPayload } from '../modules/channels/index.js';
import { WEBHOOK_PATHS } from '../transport/http/webhooks.js';
import { messagingTextWebhook, whatsappTextWebhook } from './payloads.js';

export type Customer = { channel: Channel; id: string; name: string };

/** Demo business accounts: one WhatsApp number, one Facebook Page, one Instagram account. */
export const DEMO_BUSINESS = {
  whatsapp: '100000000000001',
  messenger: '200000000000002',
  instagram: '300000000000003',
};

const CUSTOMERS: readonly Customer[] = [
  { channel: 'whatsapp', id: '5511987650001', name: 'Mariana Souza' },
  { channel: 'whatsapp', id: '447700900123', name: 'Oliver Bennett' },
  { channel: 'whatsapp', id: '33612345678', name: 'Camille Durand' },
  { channel: 'messenger', id: '6120000000000101', name: '' },
  { channel: 'messenger', id: '6120000000000102', name: '' },
  { channel: 'instagram', id: '17841400000000201', name: '' },
  { channel: 'instagram', id: '17841400000000202', name: '' },
];

const LINES = [
  'Hi! My order #4821 still says "processing", is everything ok?',
  'Do you ship to Lisbon?',
  'The blue jacket in size M, is it back in stock?',
  'I was charged twice for the same order 😕',
  'Thanks, that fixed it!',
  'Can I change the delivery address?',
  'What are your opening hours on Sunday?',
  'The tracking link does not work for me.',
  'Is there a discount for students?',
  'Perfect, thank you so much 🙏',
];

/**
 * Plays customers writing on all three channels by posting correctly signed webhooks to
 * the server's own public endpoints, exactly as Meta would.
 */
export class Simulator {
  private timer: NodeJS.Timeout | undefined;
  private turn = 0;
  private running = false;

  constructor(
    private readonly options: { baseUrl: string; appSecret: string; intervalMs: number; log: FastifyBaseLogger },
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const tick = (): void => {
      void this.sendOne().finally(() => {
        // Disposed while that message was on its way: schedule nothing more.
        if (!this.running) return;
        // A little jitter so the demo feels like people, not a metronome.
        const delay = this.options.intervalMs * (0.5 + Math.random());
        this.timer = setTimeout(tick, delay);
      });
    };
    this.timer = setTimeout(tick, 500);
  }

  dispose(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Sends the next customer message; returns the HTTP status the server answered. */
  async sendOne(): Promise<number> {
    const customer = CUSTOMERS[this.turn % CUSTOMERS.length];
    const line = LINES[(this.turn * 7 + 3) % LINES.length];
    this.turn += 1;
    if (customer === undefined || line === undefined) return 0;
    return this.send(customer, line);
  }

  /** One message from this customer, now; returns the HTTP status the server answered. */
  async send(customer: Customer, line: string): Promise<number> {
    const now = Date.now();
    const body =
      customer.channel === 'whatsapp'
        ? whatsappTextWebhook({
            phoneNumberId: DEMO_BUSINESS.whatsapp,
            from: customer.id,
            name: customer.name,
            id: `wamid.SIM${randomUUID().replaceAll('-', '')}`,
            text: line,
            timestampSeconds: Math.floor(now / 1000),
          })
        : messagingTextWebhook({
            channel: customer.channel,
            accountId: DEMO_BUSINESS[customer.channel],
            senderId: customer.id,
            mid: `m_SIM${randomUUID().replaceAll('-', '')}`,
            text: line,
            timestampMs: now,
          });
    const raw = JSON.stringify(body);
    try {
      const response = await fetch(new URL(WEBHOOK_PATHS[customer.channel], this.options.baseUrl), {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': signPayload(raw, this.options.appSecret),
        },
        body: raw,
      });
      if (!response.ok) this.options.log.warn({ status: response.status }, 'simulator: webhook refused');
      return response.status;
    } catch (error) {
      this.options.log.warn({ err: error }, 'simulator: webhook failed');
      return 0;
    }
  }
}
