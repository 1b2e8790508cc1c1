/** Chat: conversations kept on disk, answered by the loaded model. */
import { defineSlice } from '../base/slice';
import type { EventBus } from '../base/events';
import { chatHandlers } from './handlers';
import { ChatService, type ChatServiceOptions } from './service';

export interface ChatNeeds {
  options: { dataDir: string };
  events: EventBus;
  inference: ChatServiceOptions['inference'];
}

export const chatSlice = defineSlice({
  name: 'chats',
  needs: ['options', 'events', 'inference'],
  create: ({ options, events, inference }: ChatNeeds) =>
    new ChatService({ dataDir: options.dataDir, inference, emit: (name, payload) => events.emit(name, payload) }),
  handlers: (chats) => chatHandlers(chats),
});
