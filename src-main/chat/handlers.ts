/** The chat slice of the contract: conversations and their answers. */
import { definedFields, type HandlerSlice, type RequestsOf } from '../contract/handlers';
import type { ChatService } from './service';

export function chatHandlers(chats: ChatService): HandlerSlice<RequestsOf<'chat'>> {
  return {
    'chat.list': async ({ search }) => chats.list(search),
    'chat.get': async ({ id }) => chats.get(id),
    'chat.create': async ({ systemPrompt }) => chats.create(systemPrompt),
    'chat.update': async ({ id, ...patch }) => chats.update(id, definedFields(patch)),
    'chat.delete': async ({ id }) => {
      chats.delete(id);
      return { deleted: true };
    },
    'chat.send': async ({ id, text, editFrom }) => chats.send(id, text, editFrom),
    'chat.regenerate': async ({ id }) => chats.regenerate(id),
    'chat.stop': ({ id }) => chats.stop(id),
  };
}
