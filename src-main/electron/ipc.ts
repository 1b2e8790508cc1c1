/**
 * Electron transport of the contract: one IPC channel, one birpc connection per window. Messages
 * are accepted only from the main frame of a page on the app origin; anything else is dropped.
 */
import type { IpcMain, IpcMainEvent, WebContents } from 'electron';
import { IPC_CHANNEL } from '../contract/wire';
import { attachConnection, type Connection } from '../rpc/connection';
import type { Core } from '../core/core';
import { isAppUrl } from './protocol';

export function isTrustedSender(event: Pick<IpcMainEvent, 'senderFrame'>, isTrustedUrl: (url: string) => boolean = isAppUrl): boolean {
  const frame = event.senderFrame;
  if (!frame) return false;
  return frame.parent === null && isTrustedUrl(frame.url);
}

interface WindowLink {
  connection: Connection;
  deliver: (data: unknown) => void;
}

export function wireIpc(ipcMain: IpcMain, core: Core, isTrustedUrl: (url: string) => boolean = isAppUrl): () => void {
  const links = new Map<number, WindowLink>();

  const linkFor = (sender: WebContents): WindowLink => {
    const existing = links.get(sender.id);
    if (existing) return existing;
    let deliver: (data: unknown) => void = () => {};
    const connection = attachConnection(core, {
      post: (data) => {
        if (!sender.isDestroyed()) sender.send(IPC_CHANNEL, data);
      },
      on: (fn) => {
        deliver = fn;
      },
    });
    const link: WindowLink = { connection, deliver: (data) => deliver(data) };
    links.set(sender.id, link);
    sender.once('destroyed', () => {
      connection.close();
      links.delete(sender.id);
    });
    return link;
  };

  const onMessage = (event: IpcMainEvent, data: unknown) => {
    if (!isTrustedSender(event, isTrustedUrl)) {
      console.warn('[hubcap] dropped IPC from an untrusted sender');
      return;
    }
    linkFor(event.sender).deliver(data);
  };
  ipcMain.on(IPC_CHANNEL, onMessage);
  return () => {
    ipcMain.removeListener(IPC_CHANNEL, onMessage);
    for (const link of links.values()) link.connection.close();
    links.clear();
  };
}
