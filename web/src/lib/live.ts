import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../shared/contracts/socket';
import { session } from './session';

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;
export type LiveState = 'connecting' | 'live' | 'offline' | 'signed-out';

let socket: LiveSocket | null = null;
let state: LiveState = 'connecting';
const stateListeners = new Set<(s: LiveState) => void>();
/** Called after every (re)connect, so pages re-watch their rooms and refetch what they missed. */
const connectListeners = new Set<() => void>();

function setState(s: LiveState) {
  state = s;
  stateListeners.forEach((f) => f(s));
}

let notifierUrl: Promise<string | null> | null = null;
/** The notifier's origin comes from the server's configuration, never from the page's URL or storage. */
function configUrl() {
  notifierUrl ??= fetch('/client-config.json')
    .then((r) => r.json() as Promise<{ notifier_url: string }>)
    .then((c) => c.notifier_url)
    .catch(() => null);
  return notifierUrl;
}

/** (Re)connects with the current token; socket.io reconnects by itself after a notifier restart. */
export async function connect(): Promise<LiveSocket | null> {
  const url = await configUrl();
  socket?.disconnect();
  socket = null;
  if (!url) return (setState('offline'), null);
  const token = session.token;
  if (!token) return (setState('signed-out'), null);
  const s: LiveSocket = io(url, { auth: { token }, transports: ['websocket'], reconnectionDelayMax: 3000 });
  socket = s;
  setState('connecting');
  s.on('connect', () => {
    setState('live');
    connectListeners.forEach((f) => f());
  });
  s.on('disconnect', () => setState('offline'));
  s.on('connect_error', () => setState('offline'));
  return s;
}

export const live = {
  get socket() {
    return socket;
  },
  get state() {
    return state;
  },
  onState(f: (s: LiveState) => void) {
    stateListeners.add(f);
    return () => stateListeners.delete(f);
  },
  /** Runs `f` now if connected and after every reconnect; returns an unsubscribe function. */
  onConnect(f: () => void) {
    connectListeners.add(f);
    if (socket?.connected) f();
    return () => connectListeners.delete(f);
  },
};
export type Live = typeof live;
