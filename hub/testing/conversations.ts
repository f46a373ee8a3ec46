// Seeding a conversation over the wire, as tests do before the part they are about.
import type { TestClient } from './client.ts';

/** `client` starts a conversation (the fields of conversation.start) and sends `first` in it; resolves to its id. */
export async function startConversation(
  client: TestClient,
  start: { participantIds: string[]; subject?: string; clientKey: string },
  first?: { body: string; clientKey: string },
): Promise<string> {
  const { conversation } = await client.ok<{ conversation: { id: string } }>('conversation.start', start);
  if (first) await client.ok('message.send', { conversationId: conversation.id, ...first });
  return conversation.id;
}
