/** A note's text cut into plain runs and the @mentions of the agents it names. */
export type MentionPart = { kind: 'text'; text: string } | { kind: 'mention'; text: string };

/**
 * Finds `@Name` for each mentioned agent's name (longest names first, so "@Ana Lima" wins
 * over "@Ana"); everything else stays text. Names are matched as written, not as patterns.
 */
export function mentionParts(text: string, names: readonly string[]): MentionPart[] {
  const tokens = [...new Set(names.filter((name) => name.trim() !== ''))]
    .map((name) => `@${name}`)
    .sort((a, b) => b.length - a.length);
  const parts: MentionPart[] = [];
  let plain = '';
  let index = 0;
  while (index < text.length) {
    const token = text[index] === '@' ? tokens.find((candidate) => text.startsWith(candidate, index)) : undefined;
    if (token === undefined) {
      plain += text[index] ?? '';
      index += 1;
      continue;
    }
    if (plain !== '') parts.push({ kind: 'text', text: plain });
    plain = '';
    parts.push({ kind: 'mention', text: token });
    index += token.length;
  }
  if (plain !== '') parts.push({ kind: 'text', text: plain });
  return parts;
}
