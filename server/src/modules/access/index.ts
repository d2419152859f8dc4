export * from './visibility.js';
export * from './changes.js';
