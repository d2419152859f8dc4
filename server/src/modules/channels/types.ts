import type {
  Channel,
  IdentityKind,
  InteractiveReply,
  Location,
  MessageError,
  MessageKind,
  SharedContact,
} from '@parley/protocol';

/**
 * What the channel parsers make of Meta's webhooks: platform events in one normalized
 * shape. Parsers are pure (no I/O); `store/inbound.ts` applies the events.
 */

export type CustomerRef = {
  /** Every id the payload gives for the customer (a WhatsApp wa_id and BSUID, a PSID, an IGSID). */
  identities: { kind: IdentityKind; externalId: string }[];
  name: string | null;
  /** International digits, without '+'. */
  phone: string | null;
  /**
   * The payload says the customer's number changed (a WhatsApp `user_changed_number`
   * notice): `phone` replaces the stored one instead of only filling a blank.
   */
  phoneChanged?: boolean;
};

/** Where an attachment's bytes are to be fetched from; the media service copies them. */
export type MediaSource =
  { kind: 'whatsapp_media_id'; id: string; sha256: string | null } | { kind: 'url'; url: string | null };

export type InboundAttachment = {
  kind: 'image' | 'audio' | 'video' | 'document' | 'sticker' | 'file';
  mimeType: string | null;
  fileName: string | null;
  voice: boolean;
  animated: boolean;
  source: MediaSource;
};

export type MessageContent = {
  kind: MessageKind;
  text: string | null;
  attachments: InboundAttachment[];
  location: Location | null;
  sharedContacts: SharedContact[];
  replyTo: { externalId: string | null; storyUrl: string | null } | null;
  interactive: InteractiveReply | null;
  forwarded: 'no' | 'forwarded' | 'frequently';
};

type Base = {
  channel: Channel;
  /** The platform id of the business account (phone_number_id, Page id, IG account id). */
  accountExternalId: string;
  /** The platform's payload for this one event, kept for audit. */
  raw: unknown;
};

export type InboundEvent =
  | (Base & {
      type: 'message';
      /** `outbound` for an echo of a message the business sent (from Meta's inbox or elsewhere). */
      direction: 'inbound' | 'outbound';
      customer: CustomerRef;
      externalId: string;
      /** The platform's timestamp, in ms. */
      sentAt: number;
      content: MessageContent;
      /** Messenger `standby`: a thread another app owns; recorded, never answered automatically. */
      standby: boolean;
    })
  | (Base & {
      type: 'status';
      externalId: string;
      status: 'sent' | 'delivered' | 'read' | 'failed';
      at: number;
      error: MessageError | null;
    })
  | (Base & {
      /** Messenger delivery/read watermarks and Instagram seen: everything sent up to `watermark`. */
      type: 'watermark';
      customerExternalId: string;
      status: 'delivered' | 'read';
      watermark: number | null;
      /** Instagram `read.mid`, or Messenger `delivery.mids`. */
      externalIds: string[];
      /** When the platform saw it (the event's timestamp, ms); orders it among the others. */
      at?: number;
    })
  | (Base & {
      type: 'reaction';
      customer: CustomerRef;
      /** The message reacted to. */
      targetExternalId: string;
      /** null: the reaction was removed. */
      emoji: string | null;
      at: number;
      fromBusiness: boolean;
    })
  | (Base & { type: 'edit'; targetExternalId: string; at: number; content: MessageContent })
  | (Base & { type: 'delete'; targetExternalId: string; at: number })
  | (Base & { type: 'account_error'; error: MessageError });

/**
 * A parse in small steps: each `next()` reads one item of the payload, so a caller can
 * hand the event loop back between items of a large webhook. Its return value is the parse.
 */
export type ParseSteps = Generator<undefined, ParsedWebhook, undefined>;

/** Runs every step at once (small payloads, tests). */
export function runSteps(steps: ParseSteps): ParsedWebhook {
  for (;;) {
    const step = steps.next();
    if (step.done === true) return step.value;
  }
}

/** What a channel makes of one webhook body. */
export type ParsedWebhook = {
  events: InboundEvent[];
  /** Events understood but not acted on, or not understood: logged, acknowledged, not stored. */
  skipped: { reason: string; detail?: string }[];
};

export type ChannelParser = {
  channel: Channel;
  /** The `object` field Meta sets on this channel's webhooks. */
  object: string;
  /** Throws a ZodError when the envelope itself is malformed (answered 400). */
  parse(body: unknown): ParsedWebhook;
  /** The same parse, one item a step; its first step throws what `parse` throws. */
  steps(body: unknown): ParseSteps;
};
