/** The signed-in buyer: token and user from the login answer, kept in localStorage. */
export interface User {
  id: string;
  email: string;
  name: string;
  role: 'buyer' | 'organizer' | 'operator' | string;
}

const TOKEN = 'onsale.token';
const USER = 'onsale.user';
const listeners = new Set<() => void>();

export const session = {
  get token(): string | null {
    return localStorage.getItem(TOKEN);
  },
  get user(): User | null {
    try {
      return JSON.parse(localStorage.getItem(USER) ?? 'null') as User | null;
    } catch {
      return null;
    }
  },
  set(answer: { token: string; user: User }) {
    localStorage.setItem(TOKEN, answer.token);
    localStorage.setItem(USER, JSON.stringify(answer.user));
    listeners.forEach((f) => f());
  },
  clear() {
    localStorage.removeItem(TOKEN);
    localStorage.removeItem(USER);
    listeners.forEach((f) => f());
  },
  /** Called on sign-in and sign-out; returns an unsubscribe function. */
  onChange(f: () => void): () => void {
    listeners.add(f);
    return () => listeners.delete(f);
  },
};
export type Session = typeof session;
