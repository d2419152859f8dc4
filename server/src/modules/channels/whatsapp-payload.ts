/**
 * The shapes of WhatsApp Cloud API webhooks (`object: "whatsapp_business_account"`) as
 * Parley reads them, CHANNELS.md §2.1. They accept unknown fields: Meta adds fields without
 * notice, and an unknown field must never cost us a customer's message.
 */
import { z } from 'zod';

/** WhatsApp times are Unix seconds as a string; a number is accepted too. */
export const SecondsSchema = z.union([z.string().regex(/^\d+$/), z.number().int().nonnegative()]).transform(Number);
/** Coordinates, quantities and prices: numbers, or numbers written as strings. */
export const NumberLikeSchema = z.union([
  z.number(),
  z
    .string()
    .regex(/^-?\d+(\.\d+)?$/)
    .transform(Number),
]);

export const ContextSchema = z.looseObject({
  from: z.string().optional(),
  id: z.string().min(1).optional(),
  forwarded: z.boolean().optional(),
  frequently_forwarded: z.boolean().optional(),
});

export const MessageBaseSchema = z.looseObject({
  id: z.string().min(1),
  /** Absent for users who adopted a username and hide their number (2026). */
  from: z.string().min(1).optional(),
  from_user_id: z.string().min(1).optional(),
  timestamp: SecondsSchema,
  type: z.string().min(1),
  context: ContextSchema.optional(),
});
export type MessageBase = z.infer<typeof MessageBaseSchema>;

export const MediaSchema = z.looseObject({
  id: z.string().min(1),
  mime_type: z.string().optional(),
  sha256: z.string().optional(),
  caption: z.string().optional(),
  filename: z.string().optional(),
  voice: z.boolean().optional(),
  animated: z.boolean().optional(),
});

export const LocationSchema = z.looseObject({
  latitude: NumberLikeSchema,
  longitude: NumberLikeSchema,
  name: z.string().optional(),
  address: z.string().optional(),
  url: z.string().optional(),
});

export const SharedContactsSchema = z.array(
  z.looseObject({
    name: z
      .looseObject({
        formatted_name: z.string().optional(),
        first_name: z.string().optional(),
        last_name: z.string().optional(),
      })
      .optional(),
    phones: z
      .array(z.looseObject({ phone: z.string().optional(), wa_id: z.string().optional(), type: z.string().optional() }))
      .optional(),
    emails: z.array(z.looseObject({ email: z.string().optional() })).optional(),
    org: z.looseObject({ company: z.string().optional() }).optional(),
  }),
);

export const InteractiveSchema = z.looseObject({
  type: z.string(),
  button_reply: z.looseObject({ id: z.string().optional(), title: z.string() }).optional(),
  list_reply: z
    .looseObject({ id: z.string().optional(), title: z.string(), description: z.string().optional() })
    .optional(),
  nfm_reply: z
    .looseObject({ name: z.string().optional(), body: z.string().optional(), response_json: z.string().optional() })
    .optional(),
});

export const ButtonSchema = z.looseObject({ payload: z.string().optional(), text: z.string() });

export const ReactionSchema = z.looseObject({ message_id: z.string().min(1), emoji: z.string().optional() });

export const OrderSchema = z.looseObject({
  catalog_id: z.string().optional(),
  text: z.string().optional(),
  product_items: z
    .array(
      z.looseObject({
        product_retailer_id: z.string(),
        quantity: NumberLikeSchema.optional(),
        item_price: NumberLikeSchema.optional(),
        currency: z.string().optional(),
      }),
    )
    .optional(),
});

export const SystemSchema = z.looseObject({
  body: z.string().optional(),
  type: z.string().optional(),
  /** The new number (`new_wa_id` in older payloads). */
  wa_id: z.string().optional(),
  new_wa_id: z.union([z.string(), z.number()]).optional(),
  /** The new BSUID, and the one it replaces. */
  user_id: z.string().optional(),
  previous_user_id: z.string().optional(),
});

export const EditSchema = z.looseObject({
  original_message_id: z.string().min(1),
  message: z.looseObject({ type: z.string().min(1) }),
});

export const RevokeSchema = z.looseObject({ original_message_id: z.string().min(1) });

export const ErrorSchema = z.looseObject({
  code: z.union([z.number(), z.string()]),
  title: z.string().optional(),
  message: z.string().optional(),
  error_data: z.looseObject({ details: z.string().optional() }).optional(),
});
export type WhatsAppError = z.infer<typeof ErrorSchema>;

export const StatusSchema = z.looseObject({
  id: z.string().min(1),
  status: z.string().min(1),
  timestamp: SecondsSchema,
  recipient_id: z.string().optional(),
  errors: z.array(z.unknown()).optional(),
});

export const SenderSchema = z.looseObject({
  wa_id: z.string().min(1).optional(),
  /** The business-scoped user id (BSUID), e.g. `US.13491208655302741918`. */
  user_id: z.string().min(1).optional(),
  profile: z.looseObject({ name: z.string().optional(), username: z.string().optional() }).optional(),
});
export type Sender = z.infer<typeof SenderSchema>;

export const ValueSchema = z.looseObject({
  metadata: z.looseObject({ phone_number_id: z.string().min(1), display_phone_number: z.string().optional() }),
  contacts: z.array(z.unknown()).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  errors: z.array(z.unknown()).optional(),
});

export const EnvelopeSchema = z.looseObject({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.looseObject({
      id: z.string().optional(),
      changes: z.array(z.looseObject({ field: z.string(), value: z.unknown() })).optional(),
    }),
  ),
});
