import { useState } from 'preact/hooks';

/** The payment simulator's test cards and the payment method each stands for (payment-sim/server.ts). */
export const TEST_CARDS: Record<string, { method: string; label: string }> = {
  '4242424242424242': { method: 'pm_card_visa', label: 'succeeds' },
  '4000000000000002': { method: 'pm_card_declined', label: 'is declined' },
};

/** A card form for the simulator's test cards; calls `onPay(payment method)`. */
export function CardForm({
  onPay,
  busy,
  amountText,
}: {
  onPay: (method: string) => void;
  busy: boolean;
  amountText: string;
}) {
  const [number, setNumber] = useState('');
  const [expiry, setExpiry] = useState('');
  const [cvc, setCvc] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (e: Event) => {
    e.preventDefault();
    const digits = number.replace(/\D/g, '');
    const card = TEST_CARDS[digits];
    if (!card) {
      setError('Use one of the test cards listed below the form.');
      return;
    }
    const m = /^(\d{2})\s*\/\s*(\d{2})$/.exec(expiry.trim());
    if (!m || Number(m[1]) < 1 || Number(m[1]) > 12) {
      setError('Enter the expiry date as MM/YY.');
      return;
    }
    if (!/^\d{3,4}$/.test(cvc)) {
      setError('Enter the 3 or 4 digits on the back of the card.');
      return;
    }
    setError(null);
    onPay(card.method);
  };
  return (
    <form class="card-form" onSubmit={submit} noValidate>
      <label>
        Card number
        <input
          name="cardnumber"
          inputMode="numeric"
          autocomplete="cc-number"
          value={number}
          onInput={(e) => setNumber(e.currentTarget.value)}
          placeholder="4242 4242 4242 4242"
          required
          aria-describedby="test-cards"
        />
      </label>
      <div class="row2">
        <label>
          Expiry (MM/YY)
          <input
            name="exp"
            autocomplete="cc-exp"
            value={expiry}
            onInput={(e) => setExpiry(e.currentTarget.value)}
            placeholder="12/30"
            required
          />
        </label>
        <label>
          CVC
          <input
            name="cvc"
            inputMode="numeric"
            autocomplete="cc-csc"
            value={cvc}
            onInput={(e) => setCvc(e.currentTarget.value)}
            placeholder="123"
            required
          />
        </label>
      </div>
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
      <button class="primary" disabled={busy}>
        {busy ? 'Paying…' : `Pay ${amountText}`}
      </button>
      <p id="test-cards" class="muted small">
        Test cards: 4242 4242 4242 4242 succeeds · 4000 0000 0000 0002 is declined. Any future expiry, any CVC.
      </p>
    </form>
  );
}
