/** Searching the cached messages in a worker, and showing what it found. */
export { SearchResults } from './SearchResults.js';
export { useSearch } from './useSearch.js';
export { closeSearch, searchFor } from './client.js';
