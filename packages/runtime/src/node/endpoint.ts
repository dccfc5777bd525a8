/**
 * comlink speaks the DOM's EventTarget; Node's MessagePort / Worker / parentPort are
 * EventEmitters. This is the adapter (the same idea as comlink's node-adapter, kept here so
 * the import works under NodeNext resolution without deep-importing comlink's build).
 *
 * Both sides import this module, so it also teaches comlink to carry an error's class and
 * fields (core/errors.ts): a control call that throws a WeftInputError in a worker rejects
 * with a WeftInputError on the main thread, not a plain Error.
 */
import { transferHandlers, type Endpoint, type TransferHandler } from 'comlink';
import { encodeError, reviveError, type EncodedError } from '../core/errors.js';

const thrown = transferHandlers.get('throw')!;
transferHandlers.set('throw', {
  canHandle: thrown.canHandle,
  serialize: ({ value }: { value: unknown }) => [{ error: encodeError(value) }, []],
  deserialize: ({ error }: { error: EncodedError }) => {
    throw reviveError(error);
  },
} as TransferHandler<{ value: unknown }, { error: EncodedError }>);

export interface NodeMessageTarget {
  postMessage(message: unknown, transfer?: readonly unknown[]): void;
  on(event: 'message', listener: (data: unknown) => void): unknown;
  off(event: 'message', listener: (data: unknown) => void): unknown;
  start?: () => void;
}

type Listener = EventListenerOrEventListenerObject;

export function nodeEndpoint(target: NodeMessageTarget): Endpoint {
  const wrapped = new WeakMap<Listener, (data: unknown) => void>();
  return {
    postMessage: (message: unknown, transfer?: Transferable[]) => target.postMessage(message, transfer as unknown as readonly unknown[]),
    addEventListener: (_type: string, listener: Listener) => {
      const onMessage = (data: unknown) => {
        const event = { data } as MessageEvent;
        if (typeof listener === 'function') listener(event);
        else listener.handleEvent(event);
      };
      target.on('message', onMessage);
      wrapped.set(listener, onMessage);
    },
    removeEventListener: (_type: string, listener: Listener) => {
      const onMessage = wrapped.get(listener);
      if (!onMessage) return;
      target.off('message', onMessage);
      wrapped.delete(listener);
    },
    ...(target.start ? { start: target.start.bind(target) } : {}),
  };
}
