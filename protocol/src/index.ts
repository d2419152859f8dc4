export * from './domain.js';
export * from './sync.js';
export * from './errors.js';
export * from './handshake.js';
export * from './socket.js';
export * from './http.js';
export * from './desktop.js';
export * from './csp.js';
