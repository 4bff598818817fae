import { io as ioClient } from 'socket.io-client';
import type { ClientSocket } from './env';

/** Socket.IO clients of a notifier started by the test itself; `closeAll()` in `afterAll`/`finally`. */
export class SocketPool {
  private readonly sockets = new Set<ClientSocket>();

  /** A client of the notifier on `port` (not yet connected; see {@link connect}). */
  open(port: number, token: string): ClientSocket {
    const s: ClientSocket = ioClient(`http://127.0.0.1:${port}`, {
      auth: { token },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    this.sockets.add(s);
    return s;
  }

  /** Connects, or rejects with the server's refusal (`err.data.code`). */
  async connect(port: number, token: string): Promise<ClientSocket> {
    const s = this.open(port, token);
    await new Promise<void>((resolve, reject) => {
      s.once('connect', () => resolve());
      s.once('connect_error', reject);
    });
    return s;
  }

  closeAll(): void {
    for (const s of this.sockets) s.close();
    this.sockets.clear();
  }
}
