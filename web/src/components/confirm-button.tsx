import { useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';

/** A button that asks first: the question and Yes / No appear in place (no browser dialog). */
export function ConfirmButton({
  label,
  question,
  yes,
  onConfirm,
  busy,
}: {
  label: string;
  question: ComponentChildren;
  yes: string;
  onConfirm: () => void;
  busy?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <button type="button" class="secondary" disabled={busy} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  return (
    <div class="confirm" role="group" aria-label={label}>
      <p>{question}</p>
      <button
        type="button"
        class="danger"
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
        ref={(b) => b?.focus()}
      >
        {yes}
      </button>{' '}
      <button type="button" class="secondary" onClick={() => setAsking(false)}>
        Keep it
      </button>
    </div>
  );
}
