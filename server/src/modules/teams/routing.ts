import { franc } from 'franc-min';
import { RoutingRuleSchema, type RoutingRule } from '@parley/protocol';
import { z } from 'zod';
import type { Trx } from '../../platform/store.js';

/**
 * Routing a new conversation by its first message. A team's rules bring the conversation
 * to it from any inbox: a keyword matches as a whole word, whatever the case ("Refund"
 * matches "a refund please", not "refunded"); a language matches when the message is
 * detected to be in it. Keyword rules are tried first (they are the more specific), teams
 * in the order they were made; no rule matches: the team of the inbox.
 *
 * Languages are detected with franc-min (trigram profiles of the 82 most spoken languages,
 * no native code, no model to load, ESM, maintained). A chat's first line is short, and
 * trigrams among 82 languages guess badly on a few words ("Hola, quiero comprar" reads as
 * Swedish); so the guess is made only among the languages the rules name and a handful of
 * the most common ones, which makes it reliable on a sentence and says nothing ("und") on
 * a word or two, so "ok" routes nowhere.
 */

/** ISO 639-1 (the rules) → ISO 639-3 (franc), for the languages franc-min knows. */
const ISO_639_3: Record<string, string> = {
  en: 'eng',
  es: 'spa',
  pt: 'por',
  fr: 'fra',
  de: 'deu',
  it: 'ita',
  nl: 'nld',
  pl: 'pol',
  ro: 'ron',
  tr: 'tur',
  ru: 'rus',
  uk: 'ukr',
  be: 'bel',
  bg: 'bul',
  kk: 'kaz',
  ar: 'arb',
  ur: 'urd',
  fa: 'pes',
  hi: 'hin',
  mr: 'mar',
  ne: 'npi',
  id: 'ind',
  ms: 'zlm',
  jv: 'jav',
  su: 'sun',
  vi: 'vie',
  sw: 'swh',
  ha: 'hau',
  yo: 'yor',
  ig: 'ibo',
  zu: 'zul',
  so: 'som',
  rw: 'kin',
  ny: 'nya',
  mg: 'plt',
  ln: 'lin',
  rn: 'run',
  tl: 'tgl',
  hu: 'hun',
  cs: 'ces',
  sv: 'swe',
  hr: 'hrv',
  bs: 'bos',
  sr: 'srp',
  uz: 'uzn',
  az: 'azj',
  ps: 'pbu',
  ku: 'ckb',
  ff: 'fuv',
  qu: 'qug',
  za: 'zyb',
};

/** Always among the candidates, so a rule for one language does not claim every message. */
const COMMON = ['eng', 'spa', 'por', 'fra', 'deu', 'ita', 'nld', 'rus', 'arb', 'tur', 'ind', 'hin'];

const MIN_LENGTH = 8;

/** The ISO 639-1 language of `text` among `languages` and the common ones; null if unsure. */
export function detectLanguage(text: string, languages: readonly string[]): string | null {
  const wanted = languages.map((code) => ISO_639_3[code]).filter((code): code is string => code !== undefined);
  const only = [...new Set([...COMMON, ...wanted])];
  const found = franc(text, { only, minLength: MIN_LENGTH });
  if (found === 'und') return null;
  return Object.entries(ISO_639_3).find(([, three]) => three === found)?.[0] ?? null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `keyword` appears in `text` as a whole word (or phrase), whatever the case. */
export function matchesKeyword(text: string, keyword: string): boolean {
  const word = keyword.trim();
  if (word === '') return false;
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(word)}(?![\\p{L}\\p{N}_])`, 'iu');
  return pattern.test(text);
}

export type RoutableTeam = { id: string; rules: readonly RoutingRule[] };

/** The team the rules send `text` to, or null when none matches. */
export function matchTeam(text: string, teams: readonly RoutableTeam[]): string | null {
  for (const team of teams) {
    for (const rule of team.rules) {
      if (rule.kind === 'keyword' && matchesKeyword(text, rule.keyword)) return team.id;
    }
  }
  const languages = teams.flatMap((team) =>
    team.rules.flatMap((rule) => (rule.kind === 'language' ? [rule.language] : [])),
  );
  if (languages.length === 0) return null;
  const language = detectLanguage(text, languages);
  if (language === null) return null;
  return (
    teams.find((team) => team.rules.some((rule) => rule.kind === 'language' && rule.language === language))?.id ?? null
  );
}

const RulesSchema = z.array(RoutingRuleSchema).catch([]);

/** A new conversation's team: a rule on its first message (`text`), else `fallback` (its inbox's). */
export async function routeTeam(trx: Trx, text: string | null, fallback: string | null): Promise<string | null> {
  if (text === null || text.trim() === '') return fallback;
  const rows = await trx
    .selectFrom('teams')
    .select(['id', 'rules'])
    .where('rules', '!=', '[]')
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  if (rows.length === 0) return fallback;
  const teams = rows.map((row) => ({ id: row.id, rules: RulesSchema.parse(JSON.parse(row.rules)) }));
  return matchTeam(text, teams) ?? fallback;
}
