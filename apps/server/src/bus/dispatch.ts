// Hands bus messages to the stream processors. A processor failure is contained here: it is
// logged and counted, and reported to the caller as one rejected promise so the broker can decide
// whether to acknowledge.
import type { Logger } from 'pino';
import type { BusMessage, StreamProcessor } from '../processors/types.js';
import { createLogThrottle } from '../processors/log-throttle.js';

export interface Dispatcher {
  /** undefined when every processor finished synchronously without error (the common QoS 0 case). */
  dispatch(message: BusMessage): Promise<void> | undefined;
  readonly errors: number;
}

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

  function dispatch(message: BusMessage): Promise<void> | undefined {
    let pending: Promise<Error | undefined>[] | undefined;
    let syncError: Error | undefined;
    for (const processor of processors) {
      let result: Promise<void> | void;
      try {
        result = processor.handle(message);
      } catch (err) {
        syncError ??= report(processor, message, err);
        continue;
      }
      if (result && typeof result.then === 'function') {
        (pending ??= []).push(
          result.then(
            () => undefined,
            (err: unknown) => report(processor, message, err),
          ),
        );
      }
    }
    if (!pending) return syncError ? Promise.reject(syncError) : undefined;
    // Every processor gets to finish before the outcome is decided, so none is cut short by another.
    return Promise.all(pending).then((results) => {
      const failure = syncError ?? results.find((r) => r !== undefined);
      if (failure) throw failure;
    });
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
  tail: Promise<void> | null;
}

/**
 * Calls `done` once `work` settled and every earlier publish of the same connection was completed.
 * aedes handles all packets of one socket read concurrently, so without this a fast QoS 1 write
 * could be acknowledged and delivered before a slower one that arrived first.
 */
export function completeInOrder(gate: OrderGate, work: Promise<void> | undefined, done: (err?: Error) => void): void {
  const previous = gate.tail;
  if (!previous && !work) {
    done();
    return;
  }
  const outcome: Promise<Error | undefined> = work
    ? work.then(
        () => undefined,
        (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
      )
    : Promise.resolve(undefined);
  const mine = previous ? previous.then(() => outcome) : outcome;
  const tail = mine.then(() => undefined);
  gate.tail = tail;
  void mine.then((err) => {
    if (gate.tail === tail) gate.tail = null;
    done(err);
  });
}
