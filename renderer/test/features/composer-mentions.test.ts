import { describe, expect, it } from 'vitest';
import { mentionsToAnnounce, notePreview } from '../../src/features/notifications/mentions.js';
import { message } from '../fixtures.js';

const NOW = 1_700_000_000_000;

function note(id: string, overrides: Parameters<typeof message>[0] = {}): ReturnType<typeof message> {
  return message({
    id,
    kind: 'note',
    direction: 'outbound',
    text: '@Maya can you look?',
    authorAgentId: 'ann',
    mentions: ['maya'],
    createdAt: NOW,
    ...overrides,
  });
}

describe('announcing a mention', () => {
  it('announces a colleague’s new note that mentions me', () => {
    expect(mentionsToAnnounce([note('n1')], 'maya', new Set(), NOW).map((m) => m.id)).toEqual(['n1']);
  });

  it('never announces my own note, one that mentions someone else, or one already told', () => {
    const notes = [
      note('mine', { authorAgentId: 'maya' }),
      note('other', { mentions: ['ann'] }),
      note('told'),
      note('text', { kind: 'text' }),
      note('deleted', { deletedAt: NOW }),
    ];
    expect(mentionsToAnnounce(notes, 'maya', new Set(['told']), NOW)).toEqual([]);
  });

  it('leaves what was written long before the app opened to the Mentions view', () => {
    const old = note('old', { createdAt: NOW - 60 * 60 * 1000 });
    const late = note('late', { createdAt: NOW - 5 * 60 * 1000 });
    expect(mentionsToAnnounce([old, late], 'maya', new Set(), NOW).map((m) => m.id)).toEqual(['late']);
  });

  it('shows a note on one line, cut short', () => {
    expect(notePreview('  line one\n\nline two ')).toBe('line one line two');
    expect(notePreview('x'.repeat(200), 10)).toBe(`${'x'.repeat(9)}…`);
    expect(notePreview(null)).toBe('');
  });
});
