/** Polls `check` until it holds (a change queued through the event's partition has been decided). */
export async function until(check: () => Promise<boolean>, ms = 20000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('Still in progress: refresh in a moment.');
    await new Promise((r) => setTimeout(r, 400));
  }
}
