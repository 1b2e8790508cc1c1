/**
 * One client connection (an Electron window or a WebSocket), carried by birpc over any message
 * channel. The client calls `invoke`; the core pushes every event with a fire-and-forget `event`.
 */
import { createBirpc } from 'birpc';
import type { ClientRpcFunctions, CoreRpcFunctions } from '../contract/wire';
import { dispatch } from './dispatch';
import type { Core } from '../core/core';

export interface MessageChannelLike {
  post: (data: unknown) => void;
  on: (fn: (data: unknown) => void) => void;
  off?: (fn: (data: unknown) => void) => void;
  serialize?: (data: unknown) => unknown;
  deserialize?: (data: unknown) => unknown;
}

export interface Connection {
  close(): void;
}

/**
 * Checks a frame from a client before birpc sees it: only requests (`t: "q"`) for `invoke` with an
 * argument array. Anything else throws, which birpc reports to onGeneralError and drops. (birpc
 * itself would dereference a null frame inside an async handler: an unhandled rejection.)
 */
export function checkClientFrame(frame: unknown): unknown {
  if (typeof frame !== 'object' || frame === null) throw new Error('frame is not an object');
  const f = frame as Record<string, unknown>;
  if (f.t !== 'q' || f.m !== 'invoke' || !Array.isArray(f.a) || (f.i !== undefined && typeof f.i !== 'string')) {
    throw new Error('frame is not an invoke request');
  }
  return frame;
}

export function attachConnection(core: Core, channel: MessageChannelLike): Connection {
  const functions: CoreRpcFunctions = {
    invoke: (method, input) => dispatch(core.handlers, method, input),
  };
  const rpc = createBirpc<ClientRpcFunctions, CoreRpcFunctions>(functions, {
    post: channel.post,
    on: channel.on,
    ...(channel.off ? { off: channel.off } : {}),
    ...(channel.serialize ? { serialize: channel.serialize } : {}),
    deserialize: (data) => checkClientFrame(channel.deserialize ? channel.deserialize(data) : data),
    // Only the contract's one function is callable, never an inherited property of the object.
    resolver: (name) => (name === 'invoke' ? functions.invoke : undefined),
    eventNames: ['event'],
    // Malformed frames from a client are dropped, never allowed to throw into the transport.
    onGeneralError: (error) => {
      console.warn('[hubcap] dropped a malformed message:', error.message);
      return true;
    },
  });
  const unsubscribe = core.events.on((name, payload) => {
    if (!rpc.$closed) void rpc.event.asEvent(name, payload);
  });
  return {
    close() {
      unsubscribe();
      if (!rpc.$closed) rpc.$close();
    },
  };
}
