import WebSocket from 'ws';

/**
 * An idle watcher of an event (a seat map open), speaking Socket.IO's wire protocol by hand: Engine.IO
 * v4 over a WebSocket, CONNECT with the bearer token, `event.watch` with an ack, a pong for every ping,
 * and a count of what the event's room sends it. On the wire it is what a `socket.io-client` is (the
 * notifier cannot tell them apart), without decoding each broadcast into objects and events: the load
 * generator shares the notifier's two cores, and 20,000 full clients cost more CPU per broadcast
 * than the notifier itself. The bookers stay full `socket.io-client` sockets.
 *
 * Packets (Engine.IO type, then Socket.IO type): `0{…}` open, `2` ping → `3` pong, `40{auth}` connect
 * → `40{sid}` or `44{error}`, `421[name, payload]` an event with ack id 1 → `431[answer]`, `42[name, …]`
 * an event, `41` disconnect.
 */
export class LeanWatcher {
  /** Broadcasts received while counting. */
  received = 0;
  counting = false;
  private constructor(private readonly ws: WebSocket) {}

  /**
   * Connects, authenticates and watches the event; resolves with the watcher once the watch was acked
   * `ok`, else with why not: `connect` (refused, dropped or timed out before the notifier accepted the
   * socket) or `watch` (the socket was accepted, the watch was not). `onClose` hears a drop afterwards.
   */
  static open(
    notifierUrl: string,
    token: string,
    eventId: string,
    timeoutMs: number,
    onClose: (reason: string) => void,
  ): Promise<LeanWatcher | { failed: 'connect' | 'watch' }> {
    const url = `${notifierUrl.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`;
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const watcher = new LeanWatcher(ws);
    let accepted = false;
    return new Promise((resolve) => {
      let settled = false;
      const settle = (ok: boolean) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (ok) resolve(watcher);
        else {
          ws.terminate();
          resolve({ failed: accepted ? 'watch' : 'connect' });
        }
      };
      const timer = setTimeout(() => settle(false), timeoutMs);
      ws.on('error', () => settle(false));
      ws.on('close', () => {
        if (settled) onClose('transport close');
        settle(false);
      });
      ws.on('message', (data: Buffer) => {
        const m = data.toString();
        if (m === '2') ws.send('3');
        else if (m.startsWith('42')) {
          if (watcher.counting && !m.startsWith('42["booking.')) watcher.received++;
        } else if (m.startsWith('0')) ws.send(`40${JSON.stringify({ token })}`);
        else if (m.startsWith('40')) {
          accepted = true;
          ws.send(`421${JSON.stringify(['event.watch', { event_id: eventId }])}`);
        } else if (m.startsWith('431')) {
          const [ack] = JSON.parse(m.slice(3)) as [{ ok?: boolean }];
          settle(ack.ok === true);
        } else if (m.startsWith('44') || m.startsWith('41')) settle(false);
      });
    });
  }

  close(): void {
    this.ws.close();
  }
}
