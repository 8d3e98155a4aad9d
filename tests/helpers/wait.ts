// Waiting for something that happens on its own (another task of the same process, a child process):
// the condition is polled every few milliseconds on real timers until it holds. The timeout is generous
// and only turns a hang into a failure with a message; no test asserts how fast anything happens
// (timeouts of the code under test are tested on vitest's fake timers instead).

export async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
