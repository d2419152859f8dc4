import { ContactSchema, refusal } from '@parley/protocol';
import { z } from 'zod';
import { loadChanges } from '../../../platform/change-loads.js';
import { sendFailure, type ApiRoutes } from './plugin.js';
import { IdempotencyHeaders, WRITE_ERRORS, writeRoute } from './writes.js';

/** /api/v1/contacts: the note agents keep about a customer, under the socket's rule. */
export const contactRoutes: ApiRoutes = (api, deps) => {
  writeRoute(api, deps, {
    method: 'put',
    url: '/contacts/:id/note',
    schema: {
      tags: ['contacts'],
      operationId: 'setContactNote',
      summary:
        'Replaces the note about a contact (an empty note clears it). Anyone who sees one of its conversations may.',
      params: z.object({ id: z.string().min(1).max(64) }),
      headers: IdempotencyHeaders,
      body: z.object({ note: z.string().max(4000) }).strict(),
      response: { 200: z.object({ contact: ContactSchema }), ...WRITE_ERRORS },
    },
    mutation: (request, clientId) => ({
      type: 'contact.setNote',
      clientId,
      contactId: request.params.id,
      note: request.body.note,
    }),
    answer: async (request, reply) => {
      const [change] = await loadChanges(deps.store.db, [{ entity: 'contact', id: request.params.id }]);
      if (change?.entity !== 'contact') return sendFailure(reply, refusal('not_found', 'contact_missing'));
      return reply.code(200).send({ contact: change.data });
    },
  });
};
