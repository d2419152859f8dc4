import type { Channel } from '@parley/protocol';

/**
 * Webhook bodies in the shapes Meta documents, for the simulator and the tests. Each
 * function returns the object to serialize; the caller signs the exact bytes it sends.
 */

export function whatsappTextWebhook(input: {
  phoneNumberId: string;
  from: string;
  name: string;
  id: string;
  text: string;
  timestampSeconds: number;
}): object {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: 'WABA_ID',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550000000', phone_number_id: input.phoneNumberId },
              contacts: [{ profile: { name: input.name }, wa_id: input.from }],
              messages: [
                {
                  from: input.from,
                  id: input.id,
                  timestamp: String(input.timestampSeconds),
                  type: 'text',
                  text: { body: input.text },
                },
              ],
            },
          },
        ],
      },
    ],
  };
}

export function messagingTextWebhook(input: {
  channel: Exclude<Channel, 'whatsapp'>;
  accountId: string;
  senderId: string;
  mid: string;
  text: string;
  timestampMs: number;
}): object {
  return {
    object: input.channel === 'messenger' ? 'page' : 'instagram',
    entry: [
      {
        id: input.accountId,
        time: input.timestampMs,
        messaging: [
          {
            sender: { id: input.senderId },
            recipient: { id: input.accountId },
            timestamp: input.timestampMs,
            message: { mid: input.mid, text: input.text },
          },
        ],
      },
    ],
  };
}
