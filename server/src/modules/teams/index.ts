export * from './defaults.js';
export * from './teams.js';
export { detectLanguage, matchTeam, matchesKeyword, routeTeam } from './routing.js';
