import type { FakeTemplate } from './server.js';

/**
 * The demo WhatsApp number's message templates, shaped as Meta lists them: a few approved
 * ones with and without values, and one still in review (listed, but not sendable).
 */
export const DEMO_TEMPLATES: FakeTemplate[] = [
  {
    name: 'hello_world',
    language: 'en_US',
    status: 'APPROVED',
    category: 'UTILITY',
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Hello World' },
      {
        type: 'BODY',
        text: 'Welcome and congratulations!! This message demonstrates your ability to send a WhatsApp message notification from the Cloud API, hosted by Meta. Thank you for taking the time to test with us.',
      },
      { type: 'FOOTER', text: 'WhatsApp Business Platform sample message' },
    ],
  },
  {
    name: 'order_update',
    language: 'en_US',
    status: 'APPROVED',
    category: 'UTILITY',
    components: [
      {
        type: 'BODY',
        text: 'Hi {{1}}, your order {{2}} has shipped and should arrive within 3 business days. Reply here if anything looks wrong.',
        example: { body_text: [['Mariana', '#4821']] },
      },
      { type: 'FOOTER', text: 'Acme Store' },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Talk to an agent' }] },
    ],
  },
  {
    name: 'return_instructions',
    language: 'en_US',
    status: 'APPROVED',
    category: 'UTILITY',
    components: [
      {
        type: 'BODY',
        text: 'Your return for order {{1}} is approved. Print the label from the link below and drop the parcel at any post office within 14 days.',
        example: { body_text: [['#4821']] },
      },
      {
        type: 'BUTTONS',
        buttons: [
          {
            type: 'URL',
            text: 'Print the label',
            url: 'https://acme.example/returns/{{1}}',
            example: ['https://acme.example/returns/R4821'],
          },
        ],
      },
    ],
  },
  {
    name: 'summer_sale',
    language: 'en_US',
    status: 'PENDING',
    category: 'MARKETING',
    components: [{ type: 'BODY', text: 'Summer sale: 20% off everything until Sunday, {{1}}!' }],
  },
];
