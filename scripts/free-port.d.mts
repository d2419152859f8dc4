/** Asks the system for a port nobody listens on at 127.0.0.1, and gives it back at once. */
export function freePort(): Promise<number>;
