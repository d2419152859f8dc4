/** The drag type that carries conversation ids from the queue to an agent. */
export const CONVERSATIONS_TYPE = 'application/x-parley-conversations';

export function writeDragged(data: DataTransfer, ids: readonly string[]): void {
  data.setData(CONVERSATIONS_TYPE, JSON.stringify(ids));
  data.setData('text/plain', ids.join('\n'));
  data.effectAllowed = 'move';
}

/** The ids a drop carries, or [] when it is something else (a file, some text). */
export function readDragged(data: DataTransfer): string[] {
  try {
    const value: unknown = JSON.parse(data.getData(CONVERSATIONS_TYPE));
    return Array.isArray(value) ? value.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

export function carriesConversations(data: DataTransfer): boolean {
  return data.types.includes(CONVERSATIONS_TYPE);
}
