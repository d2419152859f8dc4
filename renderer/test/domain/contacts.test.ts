import { describe, expect, it } from 'vitest';
import { mergeCandidates, phoneText, resolveContact } from '../../src/domain/contacts.js';
import { contact } from '../fixtures.js';

describe('contacts', () => {
  it('shows a merged contact as the one it was merged into, following chains', () => {
    const contacts = new Map([
      ['a', contact('a', { mergedInto: 'b' })],
      ['b', contact('b', { mergedInto: 'c' })],
      ['c', contact('c')],
    ]);
    expect(resolveContact(contacts, 'a')?.id).toBe('c');
    expect(resolveContact(contacts, 'c')?.id).toBe('c');
    expect(resolveContact(contacts, 'zz')).toBeUndefined();
    expect(resolveContact(contacts, null)).toBeUndefined();
  });

  it('keeps the merged contact when its target is not cached, and survives a cycle', () => {
    expect(resolveContact(new Map([['a', contact('a', { mergedInto: 'gone' })]]), 'a')?.id).toBe('a');
    const cycle = new Map([
      ['a', contact('a', { mergedInto: 'b' })],
      ['b', contact('b', { mergedInto: 'a' })],
    ]);
    expect(resolveContact(cycle, 'a')).toBeDefined();
  });

  it('proposes cached duplicates that still stand on their own', () => {
    const contacts = new Map([
      ['a', contact('a', { possibleDuplicates: ['b', 'c', 'missing', 'a'] })],
      ['b', contact('b')],
      ['c', contact('c', { mergedInto: 'a' })],
    ]);
    const a = contacts.get('a');
    expect(a).toBeDefined();
    if (a !== undefined) expect(mergeCandidates(contacts, a).map((candidate) => candidate.id)).toEqual(['b']);
  });
});

describe('phoneText', () => {
  it('gives the digits WhatsApp sends their "+", and leaves a number written with one as it is', () => {
    expect(phoneText('447700900123')).toBe('+447700900123');
    expect(phoneText('+447700900123')).toBe('+447700900123');
    expect(phoneText('+33 6 12 34 56 78')).toBe('+33 6 12 34 56 78');
  });
});
