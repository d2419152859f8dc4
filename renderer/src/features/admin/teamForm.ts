import type { RoutingRule } from '@parley/protocol';

/** A target in seconds as the form shows it, in minutes ('' for none). */
export function toMinutes(seconds: number): string {
  return seconds <= 0 ? '' : String(Math.round((seconds / 60) * 10) / 10);
}

/** The form's minutes back in whole seconds; empty or nonsense is no target (0). */
export function fromMinutes(minutes: string): number {
  const value = Number.parseFloat(minutes.replace(',', '.'));
  return Number.isFinite(value) && value > 0 ? Math.min(Math.round(value * 60), 7 * 24 * 3600) : 0;
}

/** One string a rule, to tell rules apart. */
export function ruleKey(rule: RoutingRule): string {
  return rule.kind === 'keyword' ? `keyword:${rule.keyword.toLowerCase()}` : `language:${rule.language}`;
}
