/**
 * The dictionaries, one JSON file per feature and language, in i18next's JSON format
 * ({{name}} placeholders, plural forms as `key_one`, `key_other`, and `key_many` where the
 * language has it). A translator works on `locales/<language>/<feature>.json`.
 *
 * Keys stay flat and dotted ('inbox.title'): i18next runs with `keySeparator: false`, so a
 * key reads the same in the JSON, in code and in a search. Every feature file joins one
 * namespace; a key lives in exactly one file (checked by test/i18n-resources.test.ts).
 *
 * English is the reference: the types below fail the build when a French file lacks a key
 * English has, or has one English does not.
 */
import enApp from './locales/en/app.json';
import enSettings from './locales/en/settings.json';
import enPalette from './locales/en/palette.json';
import enContacts from './locales/en/contacts.json';
import enCanned from './locales/en/canned.json';
import enActions from './locales/en/actions.json';
import enAdmin from './locales/en/admin.json';
import enAuth from './locales/en/auth.json';
import enComposer from './locales/en/composer.json';
import enConversation from './locales/en/conversation.json';
import enData from './locales/en/data.json';
import enDesktop from './locales/en/desktop.json';
import enFailures from './locales/en/failures.json';
import enInbox from './locales/en/inbox.json';
import enPreviews from './locales/en/previews.json';
import enSearch from './locales/en/search.json';
import enSupervisor from './locales/en/supervisor.json';
import enSync from './locales/en/sync.json';
import frApp from './locales/fr/app.json';
import frSettings from './locales/fr/settings.json';
import frPalette from './locales/fr/palette.json';
import frContacts from './locales/fr/contacts.json';
import frCanned from './locales/fr/canned.json';
import frActions from './locales/fr/actions.json';
import frAdmin from './locales/fr/admin.json';
import frAuth from './locales/fr/auth.json';
import frComposer from './locales/fr/composer.json';
import frConversation from './locales/fr/conversation.json';
import frData from './locales/fr/data.json';
import frDesktop from './locales/fr/desktop.json';
import frFailures from './locales/fr/failures.json';
import frInbox from './locales/fr/inbox.json';
import frPreviews from './locales/fr/previews.json';
import frSearch from './locales/fr/search.json';
import frSupervisor from './locales/fr/supervisor.json';
import frSync from './locales/fr/sync.json';

const enFiles = {
  admin: enAdmin,
  app: enApp,
  settings: enSettings,
  palette: enPalette,
  contacts: enContacts,
  canned: enCanned,
  actions: enActions,
  auth: enAuth,
  composer: enComposer,
  conversation: enConversation,
  data: enData,
  desktop: enDesktop,
  failures: enFailures,
  inbox: enInbox,
  previews: enPreviews,
  search: enSearch,
  supervisor: enSupervisor,
  sync: enSync,
};

const frFiles = {
  admin: frAdmin,
  app: frApp,
  settings: frSettings,
  palette: frPalette,
  contacts: frContacts,
  canned: frCanned,
  actions: frActions,
  auth: frAuth,
  composer: frComposer,
  conversation: frConversation,
  data: frData,
  desktop: frDesktop,
  failures: frFailures,
  inbox: frInbox,
  previews: frPreviews,
  search: frSearch,
  supervisor: frSupervisor,
  sync: frSync,
} satisfies Record<keyof typeof enFiles, Record<string, string>>;

/** What a key is without its plural form: 'data.evicted_one' → 'data.evicted'. */
type Stem<K> = K extends `${infer Base}_zero`
  ? Base
  : K extends `${infer Base}_one`
    ? Base
    : K extends `${infer Base}_two`
      ? Base
      : K extends `${infer Base}_few`
        ? Base
        : K extends `${infer Base}_many`
          ? Base
          : K extends `${infer Base}_other`
            ? Base
            : K;

/** `true` when both have the same keys (plural forms aside, since languages have different ones). */
type SameKeys<Reference, Translation> = [
  Exclude<Stem<keyof Reference>, Stem<keyof Translation>>,
  Exclude<Stem<keyof Translation>, Stem<keyof Reference>>,
] extends [never, never]
  ? true
  : {
      missing: Exclude<Stem<keyof Reference>, Stem<keyof Translation>>;
      extra: Exclude<Stem<keyof Translation>, Stem<keyof Reference>>;
    };

type FilesMatch = { [File in keyof typeof enFiles]: SameKeys<(typeof enFiles)[File], (typeof frFiles)[File]> };

/**
 * Fails to compile, naming the file and the keys, when a French file is missing a key
 * English has or has an extra one.
 */
const frenchMatchesEnglish: FilesMatch = {
  admin: true,
  app: true,
  settings: true,
  palette: true,
  contacts: true,
  canned: true,
  actions: true,
  auth: true,
  composer: true,
  conversation: true,
  data: true,
  desktop: true,
  failures: true,
  inbox: true,
  previews: true,
  search: true,
  supervisor: true,
  sync: true,
};
void frenchMatchesEnglish;

type UnionToIntersection<U> = (U extends unknown ? (value: U) => void : never) extends (value: infer I) => void
  ? I
  : never;

/** Every English key, from every feature file. */
export type English = UnionToIntersection<(typeof enFiles)[keyof typeof enFiles]>;

function merge(files: Record<string, Record<string, string>>): Record<string, string> {
  return Object.assign({}, ...Object.values(files)) as Record<string, string>;
}

export const en = merge(enFiles) as English;
export const fr = merge(frFiles);

/** The feature files as they are, for the checks that keys are not repeated across files. */
export const featureFiles = { en: enFiles, fr: frFiles } as const satisfies Record<
  string,
  Record<string, Record<string, string>>
>;

/** Types react-i18next's `useTranslation().t` with the same keys, for code that calls it directly. */
declare module 'i18next' {
  // eslint-disable-next-line @typescript-eslint/consistent-type-definitions -- a module augmentation merges only into an interface
  interface CustomTypeOptions {
    defaultNS: 'translation';
    resources: { translation: English };
    keySeparator: false;
    nsSeparator: false;
  }
}
