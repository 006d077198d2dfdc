// Stream processors are modules on the bus. In embedded mode the bus hands them messages
// in-process; a cluster mode can feed the same interface from a shared subscription elsewhere.

export interface BusMessage {
  installationId: number;
  clientId: number;
  /** Topic relative to the installation (`obj/...`). */
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
  /** Unix seconds (float) when the broker received it. */
  receivedAt: number;
  /** MQTT client id of the publisher, or null for messages the server itself published. */
  publisher: string | null;
}

export interface StreamProcessor {
  readonly name: string;
  /**
   * Handles one message. For QoS 1/2 the broker acknowledges the publisher only after the returned
   * promise resolves, so a processor that must not lose data resolves after its durable write.
   */
  handle(message: BusMessage): Promise<void> | void;
  /** Drains pending work (called on shutdown before the stores close). */
  flush(): Promise<void>;
  close(): Promise<void>;
  /** Optional counters, surfaced under the processor's name by the bus's stats(). */
  stats?(): ProcessorStats;
}

export type ProcessorStats = Record<string, number | Record<string, number>>;
