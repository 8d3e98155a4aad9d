// Go's unbounded channel, as an async iterable: streamed API bodies (pull progress, logs -f, events),
// the CLI's in-memory connections, and byte pipes. Engine and CLI both use it.

/** A queue of chunks consumed as an async iterable (streamed HTTP bodies). */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private ended = false;
  private wake: (() => void) | undefined;
  /** Called when the consumer stops iterating (the client went away). */
  onCancel: (() => void) | undefined;

  push(item: T): void {
    if (this.ended) return;
    this.items.push(item);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  get closed(): boolean {
    return this.ended;
  }

  /**
   * A hand-written iterator rather than an async generator: a generator parked on its await would
   * run `return()` only after the next push, so a client that hung up on an idle `docker events`
   * would stay subscribed until the next event. Here `return()` ends the queue at once.
   */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    let finished = false;
    const finish = (): IteratorReturnResult<undefined> => {
      if (!finished) {
        finished = true;
        this.ended = true;
        this.wake?.();
        this.onCancel?.();
      }
      return { done: true, value: undefined };
    };
    return {
      next: async (): Promise<IteratorResult<T, undefined>> => {
        for (;;) {
          if (finished) return { done: true, value: undefined };
          if (this.items.length > 0) return { done: false, value: this.items.shift() as T };
          if (this.ended) return finish();
          await new Promise<void>((resolve) => (this.wake = resolve));
          this.wake = undefined;
        }
      },
      return: async (): Promise<IteratorReturnResult<undefined>> => finish(),
    };
  }
}
