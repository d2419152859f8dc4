/** Names shared by the cluster's global setup and the tests' database helper. */

/** The key under which the global setup provides the cluster's URL (null on SQLite). */
export const TEST_DATABASE_URL_KEY = 'parleyPostgresUrl';

/** The migrated database every test database is created from. */
export const TEMPLATE_DATABASE = 'parley_template';

/** The key under which the global setup provides the migrated SQLite file (null on PostgreSQL). */
export const SQLITE_TEMPLATE_KEY = 'parleySqliteTemplate';
