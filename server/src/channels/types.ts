import type { Channel } from '@parley/protocol';
import type { InboundMessage } from '../store/store.js';

/** What a channel makes of one webhook body. */
export type ParsedWebhook = {
  messages: InboundMessage[];
  /** Events understood but not acted on yet, or not understood: logged, acknowledged, not stored. */
  skipped: { reason: string; detail?: string }[];
};

export type ChannelParser = {
  channel: Channel;
  /** The `object` field Meta sets on this channel's webhooks. */
  object: string;
  parse(body: unknown): ParsedWebhook;
};
