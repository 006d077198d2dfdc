// Hands bus messages to the stream processors. A processor failure is contained here: it is
// logged and counted, and reported to the caller as one rejected promise so the broker can decide
// whether to acknowledge.
import type { Logger } from 'pino';
import type { BusMessage, StreamProcessor } from '../processors/types.js';
import { createLogThrottle } from '../processors/log-throttle.js';

export interface Dispatcher {
  /**
   * undefined when every processor finished synchronously without error (the common QoS 0 case),
   * or when `awaited` is false: then failures are only logged and counted, and no promise is made
   * for a caller that would ignore it.
   */
  dispatch(message: BusMessage, awaited?: boolean): Promise<void> | undefined;
  readonly errors: number;
}

const nothing = () => undefined;

export function createDispatcher(processors: readonly StreamProcessor[], logger: Logger): Dispatcher {
  const throttle = createLogThrottle(logger);
  let errors = 0;

  function report(processor: StreamProcessor, message: BusMessage, err: unknown): Error {
    errors++;
    const error = err instanceof Error ? err : new Error(String(err));
    throttle.warn(
      `processor:${processor.name}`,
      { processor: processor.name, installationId: message.installationId, topic: message.topic, err: error },
      'stream processor failed',
    );
    return error;
  }

  // Runs once per message on the ingest path: the profile showed promise bookkeeping and the
  // garbage it leaves as a large share of it, so the common cases make as few promises as possible.
  function dispatch(message: BusMessage, awaited = true): Promise<void> | undefined {
    let pending: Promise<Error | undefined>[] | undefined;
    let single: { processor: StreamProcessor; result: Promise<void> } | undefined;
    let syncError: Error | undefined;
    for (const processor of processors) {
      let result: Promise<void> | void;
      try {
        result = processor.handle(message);
      } catch (err) {
        syncError ??= report(processor, message, err);
        continue;
      }
      if (!result || typeof result.then !== 'function') continue;
      if (!awaited) {
        result.then(nothing, (err: unknown) => void report(processor, message, err));
        continue;
      }
      if (!single && !pending) {
        single = { processor, result };
        continue;
      }
      pending ??= [];
      if (single) {
        pending.push(settle(single.processor, single.result, message));
        single = undefined;
      }
      pending.push(settle(processor, result, message));
    }
    if (!awaited) return undefined;
    if (single) {
      const { processor, result } = single;
      if (!syncError) return result.then(nothing, (err: unknown) => Promise.reject(report(processor, message, err)));
      pending = [settle(processor, result, message)];
    }
    if (!pending) return syncError ? Promise.reject(syncError) : undefined;
    // Every processor gets to finish before the outcome is decided, so none is cut short by another.
    return Promise.all(pending).then((results) => {
      const failure = syncError ?? results.find((r) => r !== undefined);
      if (failure) throw failure;
    });
  }

  function settle(processor: StreamProcessor, result: Promise<void>, message: BusMessage): Promise<Error | undefined> {
    return result.then(nothing, (err: unknown) => report(processor, message, err));
  }

  return {
    dispatch,
    get errors() {
      return errors;
    },
  };
}

/** Per-connection gate: acknowledgements leave in the order the publishes arrived (MQTT 3.1.1 §4.6). */
export interface OrderGate {
  /** Newest completion still waiting, null when none is. */
  tail: PendingCompletion | null;
  /** Oldest completion still waiting. */
  head?: PendingCompletion | null;
}

interface PendingCompletion {
  done: (err?: Error) => void;
  settled: boolean;
  err?: Error;
  next: PendingCompletion | null;
}

/**
 * Calls `done` once `work` settled and every earlier publish of the same connection was completed.
 * aedes handles all packets of one socket read concurrently, so without this a fast QoS 1 write
 * could be acknowledged and delivered before a slower one that arrived first. A queue rather than
 * a chain of promises: this runs for every publish, and the chain was a visible share of the
 * ingest profile (docs/performance.md).
 */
export function completeInOrder(gate: OrderGate, work: Promise<void> | undefined, done: (err?: Error) => void): void {
  if (!gate.tail && !work) {
    done();
    return;
  }
  const entry: PendingCompletion = { done, settled: !work, next: null };
  if (gate.tail) gate.tail.next = entry;
  else gate.head = entry;
  gate.tail = entry;
  work?.then(
    () => settle(gate, entry),
    (err: unknown) => settle(gate, entry, err instanceof Error ? err : new Error(String(err))),
  );
}

function settle(gate: OrderGate, entry: PendingCompletion, err?: Error): void {
  entry.settled = true;
  entry.err = err;
  // Unlinked before `done` runs, so a publish completed from inside `done` queues behind nothing stale.
  while (gate.head?.settled) {
    const first = gate.head;
    gate.head = first.next;
    if (!gate.head) gate.tail = null;
    try {
      first.done(first.err);
    } catch (thrown) {
      // Still the caller's error to see, but not a reason to strand the completions behind it.
      queueMicrotask(() => {
        throw thrown;
      });
    }
  }
}
