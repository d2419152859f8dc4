import type { Migration, MigrationProvider } from 'kysely';
import { migration as m0001 } from './migrations/0001_foundation.js';
import { migration as m0002 } from './migrations/0002_structured_preview.js';
import { migration as m0003 } from './migrations/0003_teams_and_roles.js';
import { migration as m0004 } from './migrations/0004_inbox.js';
import { migration as m0005 } from './migrations/0005_leases.js';
import { migration as m0006 } from './migrations/0006_access_changes_by_seq.js';

/**
 * Migrations are append-only: never edit one that has shipped; add the next, in a file of
 * its own under migrations/, and list it here. They are kept in code (not read from a
 * folder at run time) so the built server carries them.
 */
const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_structured_preview': m0002,
  '0003_teams_and_roles': m0003,
  '0004_inbox': m0004,
  '0005_leases': m0005,
  '0006_access_changes_by_seq': m0006,
};

export const migrationProvider: MigrationProvider = {
  getMigrations: () => Promise.resolve(migrations),
};
