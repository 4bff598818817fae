import { render as mount } from 'preact';
import { useState } from 'preact/hooks';
import type { PageContext } from '../lib/page';
import type { User } from '../lib/session';

export function render(el: HTMLElement, ctx: PageContext) {
  mount(<SignIn ctx={ctx} />, el);
  return () => mount(null, el);
}

function SignIn({ ctx }: { ctx: PageContext }) {
  const [registering, setRegistering] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const next = ctx.params.next && ctx.params.next.startsWith('#/') ? ctx.params.next : '#/';
  const submit = async (e: Event) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget as HTMLFormElement);
    const email = text(f.get('email'));
    const password = text(f.get('password'));
    setBusy(true);
    setError(null);
    try {
      const answer = registering
        ? await ctx.api<{ token: string; user: User }>('POST', '/v1/auth/register', {
            email,
            password,
            name: text(f.get('name')) || email,
          })
        : await ctx.api<{ token: string; user: User }>('POST', '/v1/auth/login', { email, password });
      ctx.session.set(answer);
      ctx.navigate(next);
    } catch (err) {
      setError((err as Error).message);
      setBusy(false);
    }
  };
  return (
    <form class="card auth" onSubmit={(e) => void submit(e)}>
      <h1>{registering ? 'Create an account' : 'Sign in'}</h1>
      <label>
        E-mail <input name="email" type="email" autocomplete="email" required />
      </label>
      <label>
        Password{' '}
        <input
          name="password"
          type="password"
          minLength={8}
          autocomplete={registering ? 'new-password' : 'current-password'}
          required
        />
      </label>
      {registering && (
        <label>
          Name <input name="name" autocomplete="name" />
        </label>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button class="primary" disabled={busy}>
        {registering ? 'Create the account' : 'Sign in'}
      </button>{' '}
      <button
        type="button"
        class="secondary"
        onClick={() => {
          setRegistering(!registering);
          setError(null);
        }}
      >
        {registering ? 'I have an account' : 'Create an account'}
      </button>
    </form>
  );
}

/** A form field's text; a file input (none here) would read as empty. */
function text(v: FormDataEntryValue | null): string {
  return typeof v === 'string' ? v : '';
}
